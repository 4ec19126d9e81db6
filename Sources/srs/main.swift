import SRSApp

// Everything runs on Dispatch loops; main only hands over (see ServerLauncher).
ServerLauncher.main(Array(CommandLine.arguments.dropFirst()))
