import Foundation
import Glibc
import Synchronization

/// Remembers every live redis-server and temporary directory so that, should a test process
/// exit without stopping a server, an `atexit` handler still kills it and removes its files.
enum ProcessRegistry {
    private struct State {
        var processIdentifiers: Set<Int32> = []
        var directories: Set<String> = []
        var handlerInstalled = false
    }

    private static let state = Mutex(State())

    static func register(processIdentifier: Int32) {
        state.withLock { state in
            installHandlerIfNeeded(&state)
            state.processIdentifiers.insert(processIdentifier)
        }
    }

    static func unregister(processIdentifier: Int32) {
        _ = state.withLock { $0.processIdentifiers.remove(processIdentifier) }
    }

    static func register(directory: String) {
        state.withLock { state in
            installHandlerIfNeeded(&state)
            state.directories.insert(directory)
        }
    }

    static func unregister(directory: String) {
        _ = state.withLock { $0.directories.remove(directory) }
    }

    private static func installHandlerIfNeeded(_ state: inout State) {
        guard !state.handlerInstalled else { return }
        state.handlerInstalled = true
        atexit { ProcessRegistry.cleanUpAtExit() }
    }

    private static func cleanUpAtExit() {
        let (processIdentifiers, directories) = state.withLock { state in
            defer {
                state.processIdentifiers = []
                state.directories = []
            }
            return (state.processIdentifiers, state.directories)
        }
        for processIdentifier in processIdentifiers {
            Glibc.kill(processIdentifier, SIGKILL)
        }
        for directory in directories {
            try? FileManager.default.removeItem(atPath: directory)
        }
    }
}
