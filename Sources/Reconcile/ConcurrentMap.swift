extension Array where Element: Sendable {
    /// Maps with at most `limit` bodies running at once, keeping the order of the results.
    func concurrentMap<Result: Sendable>(
        limit: Int,
        _ body: @escaping @Sendable (Element) async -> Result
    ) async -> [Result] {
        await withTaskGroup(of: (Int, Result).self) { group in
            var results = [Result?](repeating: nil, count: count)
            var next = 0
            // A sliding window: start `limit` bodies, then one more each time one finishes.
            while next < Swift.min(limit, count) {
                let index = next
                let element = self[index]
                group.addTask { (index, await body(element)) }
                next += 1
            }
            while let (index, result) = await group.next() {
                results[index] = result
                if next < count {
                    let nextIndex = next
                    let element = self[nextIndex]
                    group.addTask { (nextIndex, await body(element)) }
                    next += 1
                }
            }
            return results.map { $0! }
        }
    }
}

extension AsyncStream where Element: Sendable {
    /// Maps the elements as they arrive, with at most `limit` bodies running at once; the results in the order the
    /// bodies finished.
    func concurrentMap<Result: Sendable>(
        limit: Int,
        _ body: @escaping @Sendable (Element) async -> Result
    ) async -> [Result] {
        await withTaskGroup(of: Result.self) { group in
            var results: [Result] = []
            var running = 0
            for await element in self {
                if running >= limit, let result = await group.next() {
                    results.append(result)
                    running -= 1
                }
                group.addTask { await body(element) }
                running += 1
            }
            while let result = await group.next() { results.append(result) }
            return results
        }
    }
}
