import ArgumentParser
import NexusResults

/// Writes (or appends) `text` to the file at `path` (see ``OutputFile`` for the rules: regular files
/// atomically, devices and FIFOs in place, the parent directory must exist); a failure is reported and exits
/// with code 3.
func write(_ text: String, to path: String, append: Bool) throws {
    do {
        try OutputFile.write(text, to: path, append: append)
    } catch {
        printError("error: \(error.description)")
        throw ExitStatus.storeFailure
    }
}
