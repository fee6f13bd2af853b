/// Keeps the resident size of a long run flat.
///
/// Batches allocate a few large buffers (arenas, offset tables, COPY text) of slightly
/// different sizes again and again. glibc raises its mmap threshold after the first large
/// free and then serves such buffers from the heap, where they fragment and RSS creeps up
/// with the file's size. A fixed 1 MiB threshold keeps them in mmap, returned to the system
/// when freed; two arenas are enough for the few threads that allocate.
enum MemoryTuning {
    static func apply() {
        #if os(Linux)
        // <malloc.h> is not part of the Glibc module: M_MMAP_THRESHOLD = -3, M_ARENA_MAX = -8.
        _ = glibcMallopt(-3, 1 << 20)
        _ = glibcMallopt(-8, 2)
        #endif
    }
}

#if os(Linux)
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
