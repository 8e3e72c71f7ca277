/// The instances a transition lane moved most recently, at most `limit` of them, so that a
/// batch touching them again can skip the locking read. Two generations of an
/// ``InstanceIndex``: when the newer fills up it becomes the older, and the older is
/// dropped, so memory stays bounded however many instances a month moves and the ones moved
/// lately are still remembered.
struct RecentInstances {
    private var newer = InstanceIndex()
    private var older = InstanceIndex()
    private let generationSize: Int

    init(limit: Int) {
        generationSize = max(1, limit / 2)
    }

    /// How many are remembered (never more than the limit).
    var count: Int { newer.count + older.count }

    subscript(ref: InstanceRef) -> InstanceSnapshot? {
        newer[ref] ?? older[ref]
    }

    /// Remembers the state a commit left an instance in.
    mutating func store(_ snapshot: InstanceSnapshot) {
        older.remove(.id(snapshot.id))
        if newer[.id(snapshot.id)] == nil, newer.count >= generationSize {
            older = newer
            newer = InstanceIndex()
        }
        newer.store(snapshot)
    }

    /// Forgets an instance (its remembered state may be stale).
    mutating func remove(_ ref: InstanceRef) {
        newer.remove(ref)
        older.remove(ref)
    }
}
