/// Which lease a ``SharedLockView`` takes: a read share or the write lock of a
/// ``ReadWriteLocker``, or one permit of a ``Semaphore``.
enum HolderRole: Sendable, Hashable {
    case read
    case write
    /// One permit of `count` (the count applies when the semaphore has none stored yet).
    case permit(of: Int)

    /// The holder's field in the lock hash: `r:<token>`, `w`, `h:<token>`.
    func field(token: String) -> String {
        switch self {
        case .read: "r:" + token
        case .write: "w"
        case .permit: "h:" + token
        }
    }

    /// The `kind` written in the record and the hash.
    var kind: String {
        switch self {
        case .read, .write: "rw"
        case .permit: "semaphore"
        }
    }

    /// What a message calls the lease: `a read share of`, `the write lock of`, `a permit of`.
    var leaseName: String {
        switch self {
        case .read: "a read share of"
        case .write: "the write lock of"
        case .permit: "a permit of"
        }
    }
}
