extension ScenarioDecoder {
    /// `relative` made a path: absolute as written, else against the folder of the file it was read from
    /// (a base file's folder for an inherited value, the scenario's folder otherwise).
    func resolvedPath(_ relative: String, readFrom field: Field) -> String {
        if relative.hasPrefix("/") { return relative }
        if case .file(let file, _, _) = field.location, let directory = baseDirectories[file] { return "\(directory)/\(relative)" }
        return "\(baseDirectory)/\(relative)"
    }
}
