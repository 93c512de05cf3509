import Foundation

/// Built with libFuzzer (scripts/fuzz), the binary is the fuzzer. Without it, it replays inputs through
/// a target (to see how far a finding gets, or to debug it) or writes the seed corpus:
///
///     varco-fuzz replay TARGET FILE...
///     varco-fuzz seeds DIRECTORY
@main
struct FuzzCommand {
    static func main() throws {
        #if FUZZING
        exit(LibFuzzer.run())
        #else
        try replayOrSeed()
        #endif
    }

    static func replayOrSeed() throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        switch (arguments.first, arguments.dropFirst().first) {
        case ("replay", let name?):
            guard let target = FuzzTarget(rawValue: name) else { return usage() }
            for path in arguments.dropFirst(2) {
                let outcome = target.run(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
                print("\(target.rawValue) \(path): \(outcome)")
            }
        case ("seeds", let directory?):
            for target in FuzzTarget.allCases {
                let folder = URL(fileURLWithPath: directory).appendingPathComponent(target.rawValue)
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                let seeds = FuzzWorld.wait { () async -> Result<[String: [UInt8]], any Error> in
                    do { return .success(try await SeedCorpus.seeds(for: target)) } catch { return .failure(error) }
                }
                for (name, bytes) in try seeds.get() {
                    try Data(bytes).write(to: folder.appendingPathComponent(name))
                }
                print("\(target.rawValue): seeds written to \(folder.path)")
            }
        default:
            usage()
        }
    }

    static func usage() {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        print("usage: varco-fuzz replay TARGET FILE... | varco-fuzz seeds DIRECTORY\ntargets: \(names)")
    }
}
