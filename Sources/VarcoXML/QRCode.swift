import CXMLSec
import Foundation

/// QR codes drawn by libqrencode, returned as SVG (one path of dark modules, with the 4-module quiet zone).
public enum QRCode {
    public enum Failure: Error, Equatable {
        /// The text is empty or too long for a QR code at the chosen error correction.
        case cannotEncode
    }

    /// The modules of the symbol for `text` (byte mode, error correction M), row by row; `true` is dark.
    public static func modules(_ text: String) throws(Failure) -> [[Bool]] {
        guard !text.isEmpty, let code = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M) else { throw .cannotEncode }
        defer { QRcode_free(code) }
        let width = Int(code.pointee.width)
        guard width > 0, let data = code.pointee.data else { throw .cannotEncode }
        return (0..<width).map { row in (0..<width).map { column in data[row * width + column] & 1 == 1 } }
    }

    /// An SVG image of the QR code for `text`; `moduleSize` is the size of one module in user units.
    public static func svg(_ text: String, moduleSize: Int = 6) throws(Failure) -> String {
        let grid = try modules(text)
        let quiet = 4
        let size = (grid.count + 2 * quiet) * moduleSize
        var path = ""
        for (y, row) in grid.enumerated() {
            for (x, dark) in row.enumerated() where dark {
                path += "M\((x + quiet) * moduleSize),\((y + quiet) * moduleSize)h\(moduleSize)v\(moduleSize)h-\(moduleSize)z"
            }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(size)" height="\(size)" viewBox="0 0 \(size) \(size)" \
            shape-rendering="crispEdges"><rect width="100%" height="100%" fill="#fff"/><path fill="#000" d="\(path)"/></svg>
            """
    }

    /// The SVG as a `data:` URL, for `<img src="...">`.
    public static func svgDataURL(_ text: String, moduleSize: Int = 6) throws(Failure) -> String {
        let image = try svg(text, moduleSize: moduleSize)
        return "data:image/svg+xml;base64," + Data(image.utf8).base64EncodedString()
    }
}
