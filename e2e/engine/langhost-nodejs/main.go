// Command pulumi-language-nodejs is a small Node.js language host for the
// releasectl end-to-end tests.
//
// Upstream's language host (module
// github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) is not
// served by the Go module proxy this project can reach, so this program
// implements the subset of the LanguageRuntime gRPC service that the tests
// exercise, on top of the same pulumi/sdk/v3 packages the CLI uses:
//
//   - Handshake, GetPluginInfo, About
//   - GetRequiredPackages / GetRequiredPlugins: Pulumi resource packages found
//     in node_modules (package.json "pulumi": {"resource": true, ...})
//   - Run: `node <@pulumi/pulumi/cmd/run> --monitor ... <program>`, with the
//     config in PULUMI_CONFIG / PULUMI_CONFIG_SECRET_KEYS
//   - RunPlugin: policy packs via @pulumi/pulumi/cmd/run-policy-pack and
//     plugins via @pulumi/pulumi/cmd/run-plugin
//   - InstallDependencies: npm/yarn/pnpm/bun install
//   - GetProgramDependencies: direct dependencies from package.json
//
// Everything else (code generation, templates, Pack/Link) answers
// Unimplemented. The Node.js side (@pulumi/pulumi's cmd/run scripts) is the
// real one from npm, resolved from the program's directory with Node's own
// module resolution, so parent node_modules directories work.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// Exit code @pulumi/pulumi's cmd/run uses after it already printed an
// actionable error message; the engine should then bail without adding more.
const exitedAfterUserActionableMessage = 32

func main() {
	// Runtime options from Pulumi.yaml arrive in ProgramInfo.Options; flags are
	// accepted (and ignored) for compatibility with older engines.
	args := os.Args[1:]
	var engineAddress string
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			engineAddress = a
		}
	}
	logging.InitLogging(false, 0, false)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if engineAddress != "" {
		if err := rpcutil.Healthcheck(ctx, engineAddress, 5*time.Minute, cancel); err != nil {
			cmdutil.Exit(fmt.Errorf("could not start health check host RPC server: %w", err))
		}
	}
	stop := make(chan bool)
	go func() {
		<-ctx.Done()
		close(stop)
	}()

	host := &nodeHost{engineAddress: engineAddress}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: stop,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start language host RPC server: %w", err))
	}
	// The engine reads the port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host RPC stopped serving: %w", err))
	}
}

type nodeHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	mu            sync.Mutex
	engineAddress string
}

func (h *nodeHost) engine() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.engineAddress
}

func (h *nodeHost) Handshake(
	ctx context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if req.GetEngineAddress() != "" {
		h.engineAddress = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *nodeHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// options are the Pulumi.yaml `runtime.options` understood by this host.
type options struct {
	typescript     bool
	tsconfig       string
	nodeargs       []string
	packagemanager string
}

func parseOptions(s *structpb.Struct) options {
	o := options{typescript: true}
	if s == nil {
		return o
	}
	m := s.AsMap()
	if v, ok := m["typescript"].(bool); ok {
		o.typescript = v
	}
	if v, ok := m["tsconfig"].(string); ok {
		o.tsconfig = v
	}
	if v, ok := m["nodeargs"].(string); ok {
		o.nodeargs = strings.Fields(v)
	}
	if v, ok := m["packagemanager"].(string); ok {
		o.packagemanager = v
	}
	return o
}

// programDir returns the directory holding the program (package.json).
func programDir(info *pulumirpc.ProgramInfo, fallback string) string {
	if info != nil && info.GetProgramDirectory() != "" {
		return info.GetProgramDirectory()
	}
	return fallback
}

func entryPoint(info *pulumirpc.ProgramInfo, fallback string) string {
	if info != nil && info.GetEntryPoint() != "" {
		return info.GetEntryPoint()
	}
	if fallback != "" {
		return fallback
	}
	return "."
}

// resolveModule resolves a module request (e.g. "@pulumi/pulumi/cmd/run")
// the way `require` would from dir, so node_modules of parent directories
// are found too.
func resolveModule(ctx context.Context, nodeBin, dir, mod string) (string, error) {
	cmd := exec.CommandContext(ctx, nodeBin, "-e",
		"process.stdout.write(require.resolve(process.argv[1]))", mod)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		// Keep Node's "Cannot find module ..." line, not its stack trace.
		detail := err.Error()
		for _, line := range strings.Split(stderr.String(), "\n") {
			if strings.Contains(line, "Cannot find module") {
				detail = strings.TrimSpace(line)
				break
			}
		}
		return "", fmt.Errorf("could not resolve %s from %s (has `npm install` been run?): %s", mod, dir, detail)
	}
	return strings.TrimSpace(string(out)), nil
}

// --- required packages -------------------------------------------------

type packageJSON struct {
	Name            string            `json:"name"`
	Version         string            `json:"version"`
	Dependencies    map[string]string `json:"dependencies"`
	DevDependencies map[string]string `json:"devDependencies"`
	Pulumi          struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

func readPackageJSON(path string) (*packageJSON, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p packageJSON
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("parsing %s: %w", path, err)
	}
	return &p, nil
}

// nodeModulesFor finds the node_modules directory Node would search first
// for a program in dir: dir/node_modules or the nearest ancestor's.
func nodeModulesFor(dir string) string {
	for d := dir; ; {
		nm := filepath.Join(d, "node_modules")
		if st, err := os.Stat(nm); err == nil && st.IsDir() {
			return nm
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}

// findResourcePackages walks a node_modules tree (scoped and nested
// packages included) and returns the Pulumi resource plugins declared in it.
func findResourcePackages(nodeModules string) ([]*pulumirpc.PackageDependency, error) {
	seen := map[string]bool{}
	var deps []*pulumirpc.PackageDependency
	var walk func(nm string, depth int) error
	walk = func(nm string, depth int) error {
		if depth > 16 {
			return nil
		}
		entries, err := os.ReadDir(nm)
		if err != nil {
			return nil //nolint:nilerr // a missing node_modules means no packages
		}
		var pkgDirs []string
		for _, e := range entries {
			name := e.Name()
			if strings.HasPrefix(name, ".") {
				continue
			}
			p := filepath.Join(nm, name)
			if strings.HasPrefix(name, "@") {
				scoped, err := os.ReadDir(p)
				if err != nil {
					continue
				}
				for _, s := range scoped {
					pkgDirs = append(pkgDirs, filepath.Join(p, s.Name()))
				}
				continue
			}
			pkgDirs = append(pkgDirs, p)
		}
		for _, dir := range pkgDirs {
			pkg, err := readPackageJSON(filepath.Join(dir, "package.json"))
			if err == nil && pkg.Pulumi.Resource {
				name := pkg.Pulumi.Name
				if name == "" {
					name = strings.TrimPrefix(strings.TrimPrefix(pkg.Name, "@pulumi/"), "@")
				}
				v := pkg.Pulumi.Version
				if v == "" {
					v = pkg.Version
				}
				if v != "" && !strings.HasPrefix(v, "v") {
					v = "v" + v
				}
				key := name + "@" + v
				if name != "" && !seen[key] {
					seen[key] = true
					deps = append(deps, &pulumirpc.PackageDependency{
						Name: name, Kind: "resource", Version: v, Server: pkg.Pulumi.Server,
					})
				}
			}
			if err := walk(filepath.Join(dir, "node_modules"), depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(nodeModules, 0); err != nil {
		return nil, err
	}
	sort.Slice(deps, func(i, j int) bool {
		if deps[i].Name != deps[j].Name {
			return deps[i].Name < deps[j].Name
		}
		return deps[i].Version < deps[j].Version
	})
	return deps, nil
}

func (h *nodeHost) GetRequiredPackages(
	ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	nm := nodeModulesFor(programDir(req.GetInfo(), "."))
	if nm == "" {
		return &pulumirpc.GetRequiredPackagesResponse{}, nil
	}
	pkgs, err := findResourcePackages(nm)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: pkgs}, nil
}

func (h *nodeHost) GetRequiredPlugins(
	ctx context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	nm := nodeModulesFor(programDir(req.GetInfo(), req.GetPwd())) //nolint:staticcheck
	if nm == "" {
		return &pulumirpc.GetRequiredPluginsResponse{}, nil
	}
	pkgs, err := findResourcePackages(nm)
	if err != nil {
		return nil, err
	}
	resp := &pulumirpc.GetRequiredPluginsResponse{}
	for _, p := range pkgs {
		resp.Plugins = append(resp.Plugins, &pulumirpc.PluginDependency{
			Name: p.Name, Kind: p.Kind, Version: p.Version, Server: p.Server,
		})
	}
	return resp, nil
}

// --- Run ---------------------------------------------------------------

func (h *nodeHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: "could not find node on the $PATH: " + err.Error()}, nil
	}
	info := req.GetInfo()
	dir := programDir(info, req.GetPwd())
	opts := parseOptions(info.GetOptions())

	runPath := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH")
	if runPath == "" {
		if runPath, err = resolveModule(ctx, nodeBin, dir, "@pulumi/pulumi/cmd/run"); err != nil {
			return &pulumirpc.RunResponse{Error: "It looks like the Pulumi SDK has not been installed. " +
				"Have you run npm install or yarn install? (" + err.Error() + ")"}, nil
		}
	}

	args := append([]string{}, opts.nodeargs...)
	args = append(args, runPath)
	add := func(k, v string) {
		if v != "" {
			args = append(args, "--"+k, v)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", h.engine())
	add("organization", req.GetOrganization())
	add("project", req.GetProject())
	add("stack", req.GetStack())
	add("root-directory", info.GetRootDirectory())
	add("pwd", req.GetPwd())
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	add("parallel", fmt.Sprint(req.GetParallel()))
	args = append(args, entryPoint(info, req.GetProgram())) //nolint:staticcheck
	args = append(args, req.GetArgs()...)

	config, err := json.Marshal(nonNilMap(req.GetConfig()))
	if err != nil {
		return nil, err
	}
	secretKeys, err := json.Marshal(nonNilSlice(req.GetConfigSecretKeys()))
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(),
		"PULUMI_CONFIG="+string(config),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretKeys))
	if opts.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if opts.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfig)
	}

	logging.V(5).Infof("language host launching: %s %s", nodeBin, strings.Join(args, " "))
	cmd := exec.Command(nodeBin, args...) //nolint:gosec
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return &pulumirpc.RunResponse{
			Error: "Problem executing program (could not run language executor): " + err.Error(),
		}, nil
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	var runErr error
	select {
	case runErr = <-waited:
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		runErr = <-waited
	}
	_ = os.Stdout.Sync()
	_ = os.Stderr.Sync()
	if runErr == nil {
		return &pulumirpc.RunResponse{}, nil
	}
	var exitErr *exec.ExitError
	if errors.As(runErr, &exitErr) {
		switch code := exitErr.ExitCode(); code {
		case exitedAfterUserActionableMessage:
			return &pulumirpc.RunResponse{Bail: true}, nil
		default:
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", code)}, nil
		}
	}
	return &pulumirpc.RunResponse{Error: "Program exited unexpectedly: " + runErr.Error()}, nil
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func nonNilSlice(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// --- RunPlugin (policy packs and Node.js plugins) ------------------------

// streamSender serialises Send calls on a server stream.
type streamSender struct {
	mu     sync.Mutex
	server grpc.ServerStreamingServer[pulumirpc.RunPluginResponse]
}

func (s *streamSender) send(r *pulumirpc.RunPluginResponse) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.server.Send(r)
}

func pump(wg *sync.WaitGroup, r io.Reader, wrap func([]byte) *pulumirpc.RunPluginResponse, s *streamSender) {
	defer wg.Done()
	buf := make([]byte, 32*1024)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			chunk := append([]byte(nil), buf[:n]...)
			if sendErr := s.send(wrap(chunk)); sendErr != nil {
				logging.V(5).Infof("RunPlugin: send failed: %v", sendErr)
			}
		}
		if err != nil {
			return
		}
	}
}

func (h *nodeHost) RunPlugin(
	req *pulumirpc.RunPluginRequest, server grpc.ServerStreamingServer[pulumirpc.RunPluginResponse],
) error {
	ctx := server.Context()
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return fmt.Errorf("could not find node on the $PATH: %w", err)
	}
	info := req.GetInfo()
	dir := programDir(info, req.GetPwd())
	opts := parseOptions(info.GetOptions())

	var module string
	var args []string
	_, statErr := os.Stat(filepath.Join(dir, "PulumiPolicy.yaml"))
	if req.GetKind() == "analyzer" || (req.GetKind() == "" && statErr == nil) {
		// run-policy-pack <engine-address> <program>
		module = "@pulumi/pulumi/cmd/run-policy-pack"
		args = append(args, req.GetArgs()...)
		args = append(args, entryPoint(info, req.GetProgram())) //nolint:staticcheck
	} else {
		// run-plugin <program> <args...>
		module = "@pulumi/pulumi/cmd/run-plugin"
		args = append(args, entryPoint(info, req.GetProgram())) //nolint:staticcheck
		args = append(args, req.GetArgs()...)
	}
	runPath, err := resolveModule(ctx, nodeBin, dir, module)
	if err != nil {
		return status.Errorf(codes.FailedPrecondition,
			"it looks like the plugin's dependencies are not installed; try running npm install in %q: %v", dir, err)
	}

	cmdArgs := append(append(append([]string{}, opts.nodeargs...), runPath), args...)
	cmd := exec.CommandContext(ctx, nodeBin, cmdArgs...) //nolint:gosec
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), req.GetEnv()...)
	if opts.typescript {
		cmd.Env = append(cmd.Env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if opts.tsconfig != "" {
		cmd.Env = append(cmd.Env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfig)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	logging.V(5).Infof("language host launching plugin: %s %s", nodeBin, strings.Join(cmdArgs, " "))
	if err := cmd.Start(); err != nil {
		return err
	}
	sender := &streamSender{server: server}
	var wg sync.WaitGroup
	wg.Add(2)
	go pump(&wg, stdout, func(b []byte) *pulumirpc.RunPluginResponse {
		return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}}
	}, sender)
	go pump(&wg, stderr, func(b []byte) *pulumirpc.RunPluginResponse {
		return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}}
	}, sender)
	wg.Wait()
	code := 0
	if err := cmd.Wait(); err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			return err
		}
		code = exitErr.ExitCode()
	}
	return sender.send(&pulumirpc.RunPluginResponse{
		Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(code)}, //nolint:gosec
	})
}

// --- dependencies ------------------------------------------------------

func packageManager(dir string, opts options) string {
	if opts.packagemanager != "" && opts.packagemanager != "auto" {
		return opts.packagemanager
	}
	for _, c := range []struct{ file, pm string }{
		{"yarn.lock", "yarn"}, {"pnpm-lock.yaml", "pnpm"}, {"bun.lockb", "bun"}, {"bun.lock", "bun"},
	} {
		if _, err := os.Stat(filepath.Join(dir, c.file)); err == nil {
			return c.pm
		}
	}
	return "npm"
}

func (h *nodeHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest,
	server grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	dir := programDir(req.GetInfo(), req.GetDirectory()) //nolint:staticcheck
	pm := packageManager(dir, parseOptions(req.GetInfo().GetOptions()))
	bin, err := exec.LookPath(pm)
	if err != nil {
		return fmt.Errorf("could not find %s on the $PATH: %w", pm, err)
	}
	cmd := exec.CommandContext(server.Context(), bin, "install") //nolint:gosec
	cmd.Dir = dir
	var mu sync.Mutex
	send := func(r *pulumirpc.InstallDependenciesResponse) {
		mu.Lock()
		defer mu.Unlock()
		_ = server.Send(r)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	var wg sync.WaitGroup
	wg.Add(2)
	copyLines := func(r io.Reader, wrap func([]byte) *pulumirpc.InstallDependenciesResponse) {
		defer wg.Done()
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			send(wrap(append(sc.Bytes(), '\n')))
		}
	}
	go copyLines(stdout, func(b []byte) *pulumirpc.InstallDependenciesResponse {
		return &pulumirpc.InstallDependenciesResponse{Stdout: b}
	})
	go copyLines(stderr, func(b []byte) *pulumirpc.InstallDependenciesResponse {
		return &pulumirpc.InstallDependenciesResponse{Stderr: b}
	})
	wg.Wait()
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("%s install failed in %s: %w", pm, dir, err)
	}
	return nil
}

func (h *nodeHost) GetProgramDependencies(
	ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	dir := programDir(req.GetInfo(), req.GetPwd()) //nolint:staticcheck
	pkg, err := readPackageJSON(filepath.Join(dir, "package.json"))
	if err != nil {
		return nil, fmt.Errorf("reading package.json: %w", err)
	}
	names := map[string]string{}
	for n, v := range pkg.Dependencies {
		names[n] = v
	}
	if req.GetTransitiveDependencies() {
		for n, v := range pkg.DevDependencies {
			names[n] = v
		}
	}
	nm := nodeModulesFor(dir)
	var deps []*pulumirpc.DependencyInfo
	for n, want := range names {
		v := want
		if nm != "" {
			if p, err := readPackageJSON(filepath.Join(nm, n, "package.json")); err == nil && p.Version != "" {
				v = p.Version
			}
		}
		deps = append(deps, &pulumirpc.DependencyInfo{Name: n, Version: v})
	}
	sort.Slice(deps, func(i, j int) bool { return deps[i].Name < deps[j].Name })
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

func (h *nodeHost) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("could not find node on the $PATH: %w", err)
	}
	out, err := exec.CommandContext(ctx, nodeBin, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("running node --version: %w", err)
	}
	return &pulumirpc.AboutResponse{
		Executable: nodeBin,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
	}, nil
}
