import CXMLSecShim

/// Raw DEFLATE (RFC 1951) as the SAML HTTP-Redirect binding uses it, with a hard output bound.
public enum RawDeflate {
    public enum Failure: Error, Equatable { case corrupt, tooLarge(limit: Int) }

    /// Inflates at most `limit` bytes; a DEFLATE bomb stops at the limit.
    public static func inflate(_ data: [UInt8], limit: Int) throws(Failure) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: limit)
        let produced = varco_inflate_raw(data, data.count, &output, output.count)
        if produced == -2 { throw .tooLarge(limit: limit) }
        guard produced >= 0 else { throw .corrupt }
        return Array(output.prefix(produced))
    }

    public static func deflate(_ data: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: data.count + 1024)
        let produced = varco_deflate_raw(data, data.count, &output, output.count)
        return produced > 0 ? Array(output.prefix(produced)) : []
    }
}
