import SRTensor

/// A value produced by the restricted unpickler; containers keep pickle order.
public indirect enum PickleValue: Sendable {
  /// Python `None`.
  case none
  /// Python `bool`.
  case bool(Bool)
  /// Python `int` that fits in 64 bits.
  case int(Int)
  /// Python `int` wider than 64 bits, as little-endian two's-complement bytes (e.g. the legacy magic).
  case bigInt([UInt8])
  /// Python `float`.
  case float(Double)
  /// Python `str` (also Python 2 `str` written with BINSTRING).
  case string(String)
  /// Python `bytes`.
  case bytes([UInt8])
  /// Python `list`.
  case list([PickleValue])
  /// Python `tuple`.
  case tuple([PickleValue])
  /// Python `dict` or `OrderedDict`, in insertion order.
  case dict([(PickleValue, PickleValue)])
  /// An allowlisted global that was never called (e.g. a storage class tag).
  case global(module: String, name: String)
  /// A torch storage resolved from a persistent id, not yet read.
  case storage(TorchStorageRef)
  /// A tensor view rebuilt by `_rebuild_tensor_v2`, not yet materialised.
  case tensorRef(TorchTensorRef)
  /// A materialised tensor (converted to Float).
  case tensor(Tensor)
  /// A NumPy array rebuilt by `_reconstruct` + BUILD.
  case ndarray(NDArrayValue)

  /// The string payload, if this is a string.
  public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
  /// The integer payload, if this is an int (or a bool).
  public var intValue: Int? {
    switch self {
    case .int(let i): i
    case .bool(let b): b ? 1 : 0
    default: nil
    }
  }
  /// The elements of a tuple or list.
  public var sequence: [PickleValue]? {
    switch self {
    case .tuple(let a), .list(let a): a
    default: nil
    }
  }
  /// Looks up a string key in a dict.
  public subscript(key: String) -> PickleValue? {
    guard case .dict(let items) = self else { return nil }
    return items.first { $0.0.stringValue == key }?.1
  }

  /// A short type name for error messages.
  public var typeName: String {
    switch self {
    case .none: "None"
    case .bool: "bool"
    case .int, .bigInt: "int"
    case .float: "float"
    case .string: "str"
    case .bytes: "bytes"
    case .list: "list"
    case .tuple: "tuple"
    case .dict: "dict"
    case .global(let m, let n): "\(m).\(n)"
    case .storage: "storage"
    case .tensorRef, .tensor: "tensor"
    case .ndarray: "ndarray"
    }
  }
}

/// A torch storage named by a persistent id (SR-SPEC §2.2, §2.4).
public struct TorchStorageRef: Sendable, Equatable {
  /// The storage class name, e.g. `FloatStorage`.
  public var className: String
  /// The record key (`data/<key>` in zips, `_cdata` in legacy files).
  public var key: String
  /// Element count of the (root) storage.
  public var numel: Int
  /// Legacy views: (view key, element offset into the root, view element count).
  public var view: View?

  /// A legacy storage view into a root storage.
  public struct View: Sendable, Equatable {
    /// The view's own key.
    public var key: String
    /// Element offset into the root storage.
    public var offset: Int
    /// Element count of the view.
    public var numel: Int
  }
}

/// A strided tensor view into a storage, as passed to `_rebuild_tensor_v2`.
public struct TorchTensorRef: Sendable, Equatable {
  /// The storage the elements live in.
  public var storage: TorchStorageRef
  /// Element offset of element 0.
  public var offset: Int
  /// The tensor shape.
  public var size: [Int]
  /// Strides in elements.
  public var stride: [Int]
}

/// A NumPy array as pickled by `ndarray.__reduce__`.
public struct NDArrayValue: Sendable, Equatable {
  /// The array shape.
  public var shape: [Int]
  /// The dtype as an `.npy` descr such as `<f4`.
  public var descr: String
  /// True if the raw bytes are in Fortran (column-major) order.
  public var fortranOrder: Bool
  /// The raw element bytes.
  public var data: [UInt8]
}
