import Synchronization

/// A set of observers (handlers, signals) that can be added and removed by id from any thread.
package final class ObserverList<Element: Sendable>: Sendable {
    private struct State {
        var elements: [UInt64: Element] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Makes an empty list.
    package init() {}

    /// Adds `element`; returns the id to remove it with.
    package func add(_ element: Element) -> UInt64 {
        state.withLock { state in
            state.nextID += 1
            state.elements[state.nextID] = element
            return state.nextID
        }
    }

    /// Removes the element added under `id`, if it is still there.
    package func remove(_ id: UInt64) {
        _ = state.withLock { $0.elements.removeValue(forKey: id) }
    }

    /// Removes every element.
    package func removeAll() {
        state.withLock { $0.elements = [:] }
    }

    /// The elements now, in no particular order.
    package var all: [Element] { state.withLock { Array($0.elements.values) } }
}
