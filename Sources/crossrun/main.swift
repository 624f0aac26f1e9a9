// The `crossrun` executable. Every command lives in the CrossRunCommands library (where the
// tests reach it); this only starts the command line.
import CrossRunCommands

CrossRunCLI.main()
