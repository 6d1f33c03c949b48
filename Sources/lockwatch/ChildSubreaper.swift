import Glibc

/// Makes this process a child subreaper (`PR_SET_CHILD_SUBREAPER`): orphaned descendants are
/// re-parented to it instead of to init, so `hold` can wait for and reap all of them.
enum ChildSubreaper {
    private static let setChildSubreaper: Int32 = 36

    /// Enables it once; a kernel without it (before Linux 3.4) leaves orphans to init.
    static func enable() {
        // `prctl` is variadic, so Swift does not import it; it is looked up at run time and
        // called with its five integer arguments, which is how the C ABI passes them anyway.
        typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "prctl") else { return }
        _ = unsafeBitCast(symbol, to: Prctl.self)(setChildSubreaper, 1, 0, 0, 0)
    }
}
