extension ScenarioError {
    /// The candidate nearest to `word` when it is close enough to be a plausible misspelling of it
    /// (the rule the loader uses for keys and names), for modules that validate names of their own.
    public static func suggestion(for word: String, among candidates: some Sequence<String>) -> String? {
        nearest(to: word, in: candidates)
    }
}
