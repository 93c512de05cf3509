#if !FUZZING
import Foundation

/// Without libFuzzer the binary replays inputs through a target (to reproduce a finding under a debugger)
/// or writes the seed corpus:
///
///     varco-fuzz replay TARGET FILE...
///     varco-fuzz seeds DIRECTORY
@main
struct ReplayCommand {
    static func main() throws {
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
#endif
