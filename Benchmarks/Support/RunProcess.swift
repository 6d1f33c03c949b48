import Foundation

/// Runs a program to its end on a thread of its own and returns its standard output (its
/// standard error goes to ours); a non-zero exit throws.
public func runProcess(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) async throws -> String {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result { try runProcessBlocking(executable, arguments, environment: environment) })
        }
    }
}

private func runProcessBlocking(_ executable: String, _ arguments: [String], environment: [String: String]?) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.standardError
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw BenchmarkError("\(executable) \(arguments.joined(separator: " ")) exited with status \(process.terminationStatus) (its error output is above)")
    }
    return String(decoding: data, as: UTF8.self)
}

/// Prints a result line at once (stdout is a pipe under the scripts: fully buffered otherwise).
public func say(_ line: String) {
    print(line)
    fflush(nil)
}
