#if FUZZING
import CFuzzDriver
import Foundation

/// libFuzzer's side: the binary serves every target and `VARCO_FUZZ_TARGET` picks one.
enum LibFuzzer {
    nonisolated(unsafe) static var selected: FuzzTarget?

    static func run() -> Int32 {
        let name = ProcessInfo.processInfo.environment["VARCO_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
            FileHandle.standardError.write(Data("Set VARCO_FUZZ_TARGET to one of: \(names)\n".utf8))
            return 2
        }
        selected = target
        _ = FuzzWorld.shared
        return varco_fuzz_run_driver(CommandLine.argc, CommandLine.unsafeArgv)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    LibFuzzer.selected?.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
#endif
