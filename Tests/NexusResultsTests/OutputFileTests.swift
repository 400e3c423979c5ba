import Foundation
import NexusResults
import Testing

/// Output files: regular files replaced atomically, devices and FIFOs written in place, every failure reported.
@Suite struct OutputFileTests {
    static func directory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nexus-out-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func contents(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    static func failure(_ text: String = "x", to path: String, append: Bool = false) -> OutputFileError? {
        do {
            try OutputFile.write(text, to: path, append: append)
            return nil
        } catch {
            return error
        }
    }

    @Test func aNewFileIsWrittenWholeAndNoTemporaryFileIsLeft() throws {
        let dir = try Self.directory()
        try OutputFile.write("<testsuites/>\n", to: dir + "/junit.xml")
        #expect(try Self.contents(dir + "/junit.xml") == "<testsuites/>\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["junit.xml"])
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: dir + "/junit.xml")[.posixPermissions] as? Int)
        #expect(mode & 0o600 == 0o600)
    }

    @Test func anExistingFileIsReplacedAndKeepsItsPermissions() throws {
        let dir = try Self.directory()
        let path = dir + "/report.html"
        try "old text that is longer than the new".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(chmod(path, 0o640) == 0)
        try OutputFile.write("new", to: path)
        #expect(try Self.contents(path) == "new")
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o640)
    }

    @Test func appendingAddsToTheEndAndCreatesAMissingFile() throws {
        let dir = try Self.directory()
        try OutputFile.write("one\n", to: dir + "/summary.md", append: true)
        try OutputFile.write("two\n", to: dir + "/summary.md", append: true)
        #expect(try Self.contents(dir + "/summary.md") == "one\ntwo\n")
    }

    @Test func aSymbolicLinkIsFollowedAndKept() throws {
        let dir = try Self.directory()
        try "old".write(toFile: dir + "/real.csv", atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.csv", withDestinationPath: "real.csv")
        try OutputFile.write("new", to: dir + "/link.csv")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/link.csv") == "real.csv")
        #expect(try Self.contents(dir + "/real.csv") == "new")
    }

    @Test func aDeviceIsWrittenInPlaceNotReplaced() throws {
        try OutputFile.write("discarded", to: "/dev/null")
        var info = stat()
        #expect(stat("/dev/null", &info) == 0)
        #expect(info.st_mode & S_IFMT == S_IFCHR)
    }

    @Test func aFullDiskIsAnError() {
        #expect(Self.failure(to: "/dev/full")?.description == "cannot write /dev/full: No space left on device")
        #expect(Self.failure(to: "/dev/full", append: true)?.message == "No space left on device")
    }

    @Test func aMissingDirectoryIsAnErrorAndIsNotCreated() throws {
        let dir = try Self.directory()
        let error = Self.failure(to: dir + "/no/such/out.html")
        #expect(error?.message == "the directory \(dir)/no/such does not exist (No such file or directory)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/no"))
        #expect(Self.failure(to: dir)?.message == "it is a directory")
        try "file".write(toFile: dir + "/plain", atomically: false, encoding: .utf8)
        #expect(Self.failure(to: dir + "/plain/out.csv")?.message == "\(dir)/plain is not a directory")
        #expect(Self.failure(to: "")?.message == "the file name is empty")
    }

    @Test func aFIFOIsWrittenInPlace() throws {
        let dir = try Self.directory()
        let fifo = dir + "/out.fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        let reader = Thread {
            let handle = FileHandle(forReadingAtPath: fifo)!
            let data = handle.readDataToEndOfFile()
            try? String(decoding: data, as: UTF8.self).write(toFile: dir + "/received", atomically: false, encoding: .utf8)
        }
        reader.start()
        try OutputFile.write("through the pipe", to: fifo)
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: dir + "/received") { usleep(10_000) }
        #expect(try Self.contents(dir + "/received") == "through the pipe")
        var info = stat()
        #expect(stat(fifo, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
    }
}
