import Foundation
import SRFormats
import SRTensor

/// A network loaded from a file, with where it came from.
public struct LoadedModel: Sendable {
  /// The runnable network.
  public var network: any SuperResolutionNetwork
  /// The container format found by sniffing the bytes.
  public var format: CheckpointFormat
  /// The key layout the file used.
  public var keyLayout: KeyLayout
  /// The file's path (for ncnn, the `.param`).
  public var path: String
  /// Metadata stored in the file (safetensors `__metadata__`), if any.
  public var metadata: [String: String]

  public init(network: any SuperResolutionNetwork, format: CheckpointFormat, keyLayout: KeyLayout, path: String,
              metadata: [String: String]) {
    self.network = network; self.format = format; self.keyLayout = keyLayout; self.path = path; self.metadata = metadata
  }
}

/// A failure while loading a model file, with the file and the stage.
public struct ModelFileError: Error, CustomStringConvertible {
  public var path: String
  public var underlying: any Error
  public var description: String { "\(path): \(underlying)" }
}

/// Loads any supported checkpoint: sniff -> read -> canonical keys -> detect -> build and verify.
public enum ModelLoader {
  /// Loads the model at `path`; an ncnn model is named by its `.param` path, the `.bin` beside it.
  /// - Throws: `ModelFileError` wrapping the reader's or the loader's typed error.
  public static func load(path: String) throws -> LoadedModel {
    try loadWithStateDict(path: path).model
  }

  /// Loads the model at `path` as `load` does, and also returns the state dict it was built from,
  /// in canonical (BasicSR) keys with the file's metadata: every tensor of the file, including
  /// those the network does not use (`num_batches_tracked`). `NetworkInterpolation` blends these.
  /// - Throws: as `load`.
  public static func loadWithStateDict(path: String) throws -> (model: LoadedModel, canonical: StateDict) {
    do {
      let bytes: [UInt8]
      do { bytes = try InputFile.read(path) } catch { throw ModelLoadError.badInput(error.reason) }
      if CheckpointSniffer.sniff(Array(bytes.prefix(16))) == .ncnnParam {
        let graph = try NCNNModel.read(paramPath: path)
        let dict = try NCNNModel.toStateDict(graph)
        let net = try ArchitectureRegistry.build(dict)
        return (LoadedModel(network: net, format: .ncnnParam, keyLayout: .ncnnGraph, path: path, metadata: dict.metadata), dict)
      }
      let (format, raw) = try CheckpointReader.read(bytes, path: path)
      let (dict, layout) = try KeyCanonicalizer.canonicalize(raw)
      let net = try ArchitectureRegistry.build(dict)
      return (LoadedModel(network: net, format: format, keyLayout: layout, path: path, metadata: raw.metadata), dict)
    } catch let error as ModelFileError {
      throw error
    } catch let error as CheckpointFileError {
      throw error  // already names the file
    } catch let error as NCNNError {
      // An I/O error names its own file (the .param or the .bin beside it).
      if case .io = error { throw error }
      throw ModelFileError(path: path, underlying: error)
    } catch {
      throw ModelFileError(path: path, underlying: error)
    }
  }

  /// Builds a network from an in-memory state dict in any supported key layout.
  public static func build(_ dict: StateDict) throws -> (any SuperResolutionNetwork, KeyLayout) {
    let (canonical, layout) = try KeyCanonicalizer.canonicalize(dict)
    return (try ArchitectureRegistry.build(canonical), layout)
  }
}
