import SRTensor
/// Errors from the zip central-directory reader shared by `.pth` and `.npz`.
public enum ZipError: Error, Equatable, CustomStringConvertible, Sendable {
  /// No end-of-central-directory record in the last 64 KiB (file truncated or not a zip).
  case endOfCentralDirectoryNotFound
  /// A ZIP64 record the EOCD points to is missing or has a bad signature.
  case invalidZip64Record(offset: Int)
  /// The central directory lies (partly) outside the file.
  case centralDirectoryOutOfRange(offset: Int, size: Int, fileSize: Int)
  /// A central-directory entry is malformed.
  case invalidEntry(index: Int, reason: String)
  /// An entry's data lies (partly) outside the file.
  case entryOutOfRange(name: String, end: Int, fileSize: Int)
  /// Multi-disk or encrypted archives are not supported.
  case unsupported(String)

  /// A one-line message naming the subject, the problem and the numbers.
  public var description: String {
    switch self {
    case .endOfCentralDirectoryNotFound:
      "zip: end of central directory record not found (file truncated or not a zip)"
    case .invalidZip64Record(let offset):
      "zip: ZIP64 end of central directory record missing or invalid at offset \(offset)"
    case .centralDirectoryOutOfRange(let offset, let size, let fileSize):
      "zip: central directory [\(offset), \(offset + size)) lies outside the \(fileSize)-byte file (truncated?)"
    case .invalidEntry(let index, let reason):
      "zip: central directory entry \(index) is invalid: \(reason)"
    case .entryOutOfRange(let name, let end, let fileSize):
      "zip: member '\(name)' ends at byte \(end) but the file has \(fileSize) bytes (truncated?)"
    case .unsupported(let what):
      "zip: \(what) is not supported"
    }
  }
}

/// One member of a zip archive, as described by the central directory.
struct ZipEntry: Sendable {
  var name: String
  var method: UInt16
  var flags: UInt16
  var compressedSize: Int
  var uncompressedSize: Int
  var localHeaderOffset: Int
}

/// A minimal zip reader: parses the (ZIP64-aware) central directory and locates STORED member data.
struct ZipArchive {
  let bytes: [UInt8]
  /// Members in central-directory order.
  private(set) var entries: [ZipEntry] = []

  private static let eocdSig: UInt32 = 0x0605_4B50, locatorSig: UInt32 = 0x0706_4B50
  private static let eocd64Sig: UInt32 = 0x0606_4B50, centralSig: UInt32 = 0x0201_4B50
  private static let localSig: UInt32 = 0x0403_4B50

  init(_ bytes: [UInt8]) throws(ZipError) {
    self.bytes = bytes
    let eocd = try Self.findEOCD(bytes)
    var count = Int(ByteReader.u16(bytes, at: eocd + 10) ?? 0)
    var cdSize = Int(ByteReader.u32(bytes, at: eocd + 12) ?? 0)
    var cdOffset = Int(ByteReader.u32(bytes, at: eocd + 16) ?? 0)
    if count == 0xFFFF || cdSize == 0xFFFF_FFFF || cdOffset == 0xFFFF_FFFF {
      (count, cdSize, cdOffset) = try Self.readZip64EOCD(bytes, eocd: eocd)
    }
    guard cdOffset >= 0, cdSize >= 0, cdOffset <= bytes.count, cdSize <= bytes.count - cdOffset else {
      throw .centralDirectoryOutOfRange(offset: cdOffset, size: cdSize, fileSize: bytes.count)
    }
    guard count <= cdSize / 46 else {
      throw .invalidEntry(index: 0, reason: "\(count) entries cannot fit in \(cdSize) bytes")
    }
    var r = ByteReader(bytes, offset: cdOffset, end: cdOffset + cdSize)
    for i in 0..<count { entries.append(try Self.readCentralEntry(&r, index: i)) }
  }

  /// The member named `name`, if present.
  func entry(named name: String) -> ZipEntry? { entries.first { $0.name == name } }

  /// The byte range of a member's stored data inside the archive.
  func dataRange(of e: ZipEntry) throws(ZipError) -> Range<Int> {
    let lh = e.localHeaderOffset
    guard ByteReader.u32(bytes, at: lh) == Self.localSig,
      let n = ByteReader.u16(bytes, at: lh + 26), let x = ByteReader.u16(bytes, at: lh + 28)
    else { throw .entryOutOfRange(name: e.name, end: lh + 30, fileSize: bytes.count) }
    let start = lh + 30 + Int(n) + Int(x)
    guard let end = Checked.sum(start, e.compressedSize), end <= bytes.count else {
      throw .entryOutOfRange(name: e.name, end: Checked.sum(start, e.compressedSize) ?? Int.max, fileSize: bytes.count)
    }
    return start..<end
  }

  private static func findEOCD(_ b: [UInt8]) throws(ZipError) -> Int {
    guard b.count >= 22 else { throw .endOfCentralDirectoryNotFound }
    let lowest = max(0, b.count - 22 - 0xFFFF)
    var p = b.count - 22
    while p >= lowest {
      if b[p] == 0x50, ByteReader.u32(b, at: p) == eocdSig,
        let comment = ByteReader.u16(b, at: p + 20), p + 22 + Int(comment) == b.count
      { return p }
      p -= 1
    }
    throw .endOfCentralDirectoryNotFound
  }

  private static func readZip64EOCD(_ b: [UInt8], eocd: Int) throws(ZipError) -> (Int, Int, Int) {
    let loc = eocd - 20
    guard loc >= 0, ByteReader.u32(b, at: loc) == locatorSig else { throw .invalidZip64Record(offset: loc) }
    var r = ByteReader(b, offset: loc + 8)
    guard let off64 = try? r.u64(), off64 < UInt64(b.count) else { throw .invalidZip64Record(offset: loc) }
    var e = ByteReader(b, offset: Int(off64))
    do {
      guard try e.u32() == eocd64Sig else { throw ZipError.invalidZip64Record(offset: Int(off64)) }
      try e.skip(8 + 2 + 2 + 4 + 4 + 8)
      let count = try e.u64(), size = try e.u64(), offset = try e.u64()
      let limit = UInt64(Int.max / 2)
      guard count < limit, size < limit, offset < limit else { throw ZipError.invalidZip64Record(offset: Int(off64)) }
      return (Int(count), Int(size), Int(offset))
    } catch let err as ZipError { throw err } catch { throw .invalidZip64Record(offset: Int(off64)) }
  }

  private static func readCentralEntry(_ r: inout ByteReader, index: Int) throws(ZipError) -> ZipEntry {
    do {
      guard try r.u32() == centralSig else { throw ZipError.invalidEntry(index: index, reason: "bad signature") }
      try r.skip(4)
      let flags = try r.u16(), method = try r.u16()
      try r.skip(8)
      var csize = UInt64(try r.u32()), usize = UInt64(try r.u32())
      let nameLen = Int(try r.u16()), extraLen = Int(try r.u16()), commentLen = Int(try r.u16())
      let disk = try r.u16()
      try r.skip(6)
      var offset = UInt64(try r.u32())
      let name = String(decoding: try r.take(nameLen), as: UTF8.self)
      var x = ByteReader(r.bytes, offset: r.offset, end: r.offset + extraLen)
      try r.skip(extraLen + commentLen)
      while x.remaining >= 4 {
        let tag = try x.u16(), len = Int(try x.u16())
        var f = ByteReader(x.bytes, offset: x.offset, end: x.offset + len)
        try x.skip(len)
        guard tag == 0x0001 else { continue }
        if usize == 0xFFFF_FFFF { usize = try f.u64() }
        if csize == 0xFFFF_FFFF { csize = try f.u64() }
        if offset == 0xFFFF_FFFF { offset = try f.u64() }
      }
      if disk != 0 && disk != 0xFFFF { throw ZipError.unsupported("multi-disk archive") }
      if flags & 1 != 0 { throw ZipError.unsupported("encrypted member '\(name)'") }
      let limit = UInt64(Int.max / 2)
      guard csize < limit, usize < limit, offset < limit else {
        throw ZipError.invalidEntry(index: index, reason: "size or offset too large")
      }
      return ZipEntry(name: name, method: method, flags: flags, compressedSize: Int(csize),
                      uncompressedSize: Int(usize), localHeaderOffset: Int(offset))
    } catch let err as ZipError {
      throw err
    } catch {
      throw .invalidEntry(index: index, reason: "truncated")
    }
  }
}
