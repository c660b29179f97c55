package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"gopkg.in/yaml.v3"
)

// Which program runs. The engine turns Pulumi.yaml `main` into ProgramInfo (getPwdMain in the CLI's
// pkg/engine/project.go): a file becomes its folder as the program directory and its name as the entry
// point; a folder becomes the program directory with the entry point "."; no `main` is the project's
// folder with ".".
// For ".", @pulumi/pulumi/cmd/run (run.ts) takes `exports`, else `main`, of the nearest package.json
// (or pnpm's package.yaml) at or ABOVE the program directory, else requires the folder, which runs its
// index.js (index.ts once ts-node is registered). Upstream hands it "." in every case, so a project
// folder without a package.json of its own inside a repository ran the repository's package `main`.
// This host keeps upstream's order but looks only at the program directory's own package: without
// one it passes "./", the same folder for run.ts but not ".", so run.ts skips its package lookup.
//
// Before node starts, the host also refuses what would otherwise fail late or obscurely: a folder with
// nothing to run, a TypeScript program while the `typescript` runtime option is false, and an ES module
// in TypeScript without ts-node's ESM loader.

// Program files that run as JavaScript or need TypeScript compilation (ts-node).
var (
	javaScriptExtensions = []string{".js", ".mjs", ".cjs"}
	typeScriptExtensions = []string{".ts", ".mts", ".cts"}
)

// programFile is the file that cmd/run will load, and how it was chosen (for error messages).
type programFile struct {
	path, chosenBy string
}

// programEntryPoint is the entry point to pass to cmd/run (at runPath) for this program, or an error
// that says what is wrong and how to fix it.
func programEntryPoint(info *pulumirpc.ProgramInfo, typescript bool, runPath string) (string, error) {
	entryPoint, program, err := resolveProgram(info.GetProgramDirectory(), info.GetEntryPoint())
	if err != nil {
		return "", err
	}
	if hasExtension(program.path, typeScriptExtensions) {
		if err := checkTypeScript(program, typescript, runPath); err != nil {
			return "", err
		}
	}
	return entryPoint, nil
}

// resolveProgram finds the program as run.ts and node will (see the top of this file).
func resolveProgram(dir, entry string) (string, programFile, error) {
	if entry != "" && entry != "." {
		return entry, programFile{filepath.Join(dir, entry), "`main` in Pulumi.yaml"}, nil
	}
	pkg, err := ownPackage(dir)
	if err != nil {
		return "", programFile{}, err
	}
	if pkg == nil {
		program, err := folderIndex(dir, "")
		return "./", program, err
	}
	target := pkg.entry()
	if target == "" {
		program, err := folderIndex(dir, "")
		return ".", program, err
	}
	path := filepath.Join(dir, target)
	stat, err := os.Stat(path)
	switch {
	case err == nil && stat.IsDir():
		program, err := folderIndex(path, "")
		return ".", program, err
	case err == nil:
		return ".", programFile{path, fmt.Sprintf("`%s` in %s", pkg.entryField(), pkg.file)}, nil
	case !errors.Is(err, fs.ErrNotExist):
		return "", programFile{}, err
	}
	// Like run.ts: a missing target falls back to the folder (run.ts warns about it).
	program, err := folderIndex(dir, fmt.Sprintf(
		"%s names `%s: %s`, which does not exist (Pulumi runs no build script: build the program first, or fix `%s`), and ",
		pkg.file, pkg.entryField(), target, pkg.entryField()))
	return ".", program, err
}

// folderIndex is what requiring the folder finds: index.js (also .mjs, .cjs), else index.ts (also .mts,
// .cts), which loads once ts-node is registered. prefix explains how the folder was chosen.
func folderIndex(dir, prefix string) (programFile, error) {
	for _, exts := range [][]string{javaScriptExtensions, typeScriptExtensions} {
		for _, ext := range exts {
			path := filepath.Join(dir, "index"+ext)
			if stat, err := os.Stat(path); err == nil && !stat.IsDir() {
				return programFile{path, "the folder's index file"}, nil
			}
		}
	}
	return programFile{}, fmt.Errorf("%sthe folder %s has no program to run: no package.json `main` of its own, "+
		"no index.js and no index.ts; add index.ts (or index.js), or set `main` in Pulumi.yaml to the program's file",
		prefix, dir)
}

// checkTypeScript refuses a TypeScript program that cmd/run cannot compile: TypeScript compilation
// is off, or the program is an ES module and ts-node's ESM loader is not installed where run.ts
// (runPath) looks for it (run.ts then imports the .ts file as JavaScript, and node fails with
// ERR_UNKNOWN_FILE_EXTENSION).
func checkTypeScript(program programFile, typescript bool, runPath string) error {
	if !typescript {
		return fmt.Errorf("the program %s (%s) is TypeScript, but Pulumi.yaml sets the nodejs runtime option "+
			"`typescript: false`: remove that option so that Pulumi compiles it with ts-node, "+
			"or compile it to JavaScript and point `main` at the .js file", program.path, program.chosenBy)
	}
	esm, err := isESModule(program.path)
	if err != nil || !esm {
		return err
	}
	if _, err := resolveModule(filepath.Dir(runPath), "ts-node/esm"); err != nil {
		return fmt.Errorf("the program %s (%s) is TypeScript in an ES module package (\"type\": \"module\"), "+
			"which Pulumi compiles with ts-node's ESM loader, and @pulumi/pulumi finds no ts-node: "+
			"add it to the project beside @pulumi/pulumi (npm install --save-dev ts-node)", program.path, program.chosenBy)
	}
	return nil
}

// isESModule tells whether run.ts loads the program as an ES module: the nearest package.json has
// "type": "module".
func isESModule(file string) (bool, error) {
	root, err := packageRoot(filepath.Dir(file))
	if err != nil {
		return false, nil //nolint:nilerr // no package.json at all: CommonJS
	}
	var manifest struct {
		Type string `json:"type"`
	}
	b, err := os.ReadFile(filepath.Join(root, "package.json"))
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(b, &manifest); err != nil {
		return false, fmt.Errorf("parsing %s: %w", filepath.Join(root, "package.json"), err)
	}
	return manifest.Type == "module", nil
}

func hasExtension(file string, exts []string) bool {
	ext := strings.ToLower(filepath.Ext(file))
	for _, e := range exts {
		if ext == e {
			return true
		}
	}
	return false
}

// programPackage is the program directory's own package manifest, as far as run.ts reads it to find
// the entry point.
type programPackage struct {
	file    string // package.json or package.yaml
	Main    string `json:"main" yaml:"main"`
	Exports any    `json:"exports" yaml:"exports"`
}

// ownPackage reads package.json (else package.yaml, as run.ts prefers) of dir itself; nil if it has none.
func ownPackage(dir string) (*programPackage, error) {
	for _, name := range []string{"package.json", "package.yaml"} {
		path := filepath.Join(dir, name)
		b, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		pkg := programPackage{file: path}
		if name == "package.json" {
			err = json.Unmarshal(b, &pkg)
		} else {
			err = yaml.Unmarshal(b, &pkg)
		}
		if err != nil {
			return nil, fmt.Errorf("parsing %s: %w", path, err)
		}
		return &pkg, nil
	}
	return nil, nil
}

// entryField names the field that entry reads: run.ts prefers `exports` to `main`.
func (p *programPackage) entryField() string {
	if p.Exports != nil {
		return "exports"
	}
	return "main"
}

// entry is the package's entry point as run.ts picks it: `exports` as a string, or its "." entry (a
// string, or the default, require or import condition), else `main`.
func (p *programPackage) entry() string {
	switch exports := p.Exports.(type) {
	case nil:
		return p.Main
	case string:
		return exports
	case map[string]any:
		switch dot := exports["."].(type) {
		case string:
			return dot
		case map[string]any:
			for _, condition := range []string{"default", "require", "import"} {
				if s, ok := dot[condition].(string); ok && s != "" {
					return s
				}
			}
		}
	}
	return ""
}
