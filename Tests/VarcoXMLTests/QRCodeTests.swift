import Foundation
import Testing
import VarcoXML

@Suite("QR codes")
struct QRCodeTests {
    static let uri = "otpauth://totp/Varco:0000123456?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Varco&algorithm=SHA1&digits=6&period=30"

    @Test func symbolHasTheFinderPatterns() throws {
        let grid = try QRCode.modules(Self.uri)
        let width = grid.count
        // Versions 1-40: 21 to 177 modules, 4 more per version.
        #expect(width >= 21 && width <= 177 && (width - 21) % 4 == 0)
        #expect(grid.allSatisfy { $0.count == width })
        for (top, left) in [(0, 0), (0, width - 7), (width - 7, 0)] {
            // A finder pattern: dark 7x7 ring, light 5x5 ring, dark 3x3 centre.
            for y in 0..<7 {
                for x in 0..<7 {
                    let ring = max(abs(y - 3), abs(x - 3))
                    #expect(grid[top + y][left + x] == (ring != 2), "finder at \(top),\(left): module \(y),\(x)")
                }
            }
        }
    }

    @Test func svgIsAnImageWithAQuietZone() throws {
        let width = try QRCode.modules(Self.uri).count
        let svg = try QRCode.svg(Self.uri, moduleSize: 4)
        let size = (width + 8) * 4
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(size)\" height=\"\(size)\""))
        #expect(svg.contains("<path fill=\"#000\" d=\"M16,16h4v4h-4z"))
        #expect(svg.hasSuffix("</svg>"))
        let url = try QRCode.svgDataURL(Self.uri, moduleSize: 4)
        #expect(url.hasPrefix("data:image/svg+xml;base64,"))
        let decoded = try #require(Data(base64Encoded: String(url.dropFirst("data:image/svg+xml;base64,".count))))
        #expect(String(decoding: decoded, as: UTF8.self) == svg)
    }

    @Test func emptyTextIsRefused() {
        #expect(throws: QRCode.Failure.cannotEncode) { try QRCode.modules("") }
        #expect(throws: QRCode.Failure.cannotEncode) { try QRCode.modules(String(repeating: "x", count: 5000)) }
    }
}
