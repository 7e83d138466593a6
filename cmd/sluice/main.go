// Command sluice is the single binary of the Sluice streaming SQL engine: the
// shell, the REST server, headless mode, topic tools and the conformance
// runner are all subcommands of it.
//
// Each subcommand lives in its own file and registers itself in init with
// register, so adding a command never touches this file.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// command is one subcommand of the sluice binary.
type command struct {
	// summary is the one-line description shown by `sluice help`.
	summary string
	// run executes the command with the arguments that follow its name.
	// It returns the process exit code.
	run func(args []string, stdin io.Reader, stdout, stderr io.Writer) int
}

var commands = map[string]command{}

// register adds a subcommand; it is called from init functions.
func register(name string, c command) {
	if _, dup := commands[name]; dup {
		panic("sluice: command registered twice: " + name)
	}
	commands[name] = c
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run dispatches to a subcommand. It is separate from main so tests can call
// the whole binary in-process.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		if c, ok := commands["shell"]; ok {
			return c.run(nil, stdin, stdout, stderr)
		}
		usage(stderr)
		return 2
	}
	name := args[0]
	switch name {
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "sluice: unknown command %q\n\n", name)
		usage(stderr)
		return 2
	}
	return c.run(args[1:], stdin, stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: sluice <command> [arguments]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Every command accepts --data-dir DIR (default ./sluice-data or $SLUICE_DATA_DIR).")
}

// splitDataDir removes --data-dir DIR (or --data-dir=DIR) from anywhere in
// args and returns the remaining arguments and the data directory, falling
// back to $SLUICE_DATA_DIR and then ./sluice-data.
func splitDataDir(args []string) ([]string, string, error) {
	dir := ""
	rest := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--data-dir" || a == "-data-dir":
			if i+1 >= len(args) {
				return nil, "", fmt.Errorf("sluice: --data-dir needs a directory")
			}
			dir = args[i+1]
			i++
		case strings.HasPrefix(a, "--data-dir=") || strings.HasPrefix(a, "-data-dir="):
			dir = a[strings.IndexByte(a, '=')+1:]
		default:
			rest = append(rest, a)
		}
	}
	if dir == "" {
		dir = os.Getenv("SLUICE_DATA_DIR")
	}
	if dir == "" {
		dir = "./sluice-data"
	}
	return rest, dir, nil
}
