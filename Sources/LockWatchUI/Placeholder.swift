public enum LockWatchUIPlaceholder {}
