#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SRTensor

/// A reader failure wrapped with the file path and the stage that failed.
public struct CheckpointFileError: Error, Equatable, CustomStringConvertible, @unchecked Sendable {
  /// The path as given by the caller.
  public var path: String
  /// What was being done, e.g. "reading pickle".
  public var stage: String
  /// The underlying typed error.
  public var underlying: any Error

  /// "x4.pth: reading pickle: forbidden global 'os.system'".
  /// A one-line message naming the subject, the problem and the numbers.
  public var description: String { stage.isEmpty ? "\(path): \(underlying)" : "\(path): \(stage): \(underlying)" }

  /// Errors are equal when their messages are.
  public static func == (a: Self, b: Self) -> Bool { a.description == b.description }
}

/// Sniffs a checkpoint file and dispatches to the matching reader.
public enum CheckpointReader {
  /// Reads safetensors, zip and legacy `.pth` files. ncnn and npz are rejected with a hint.
  /// - Throws: `CheckpointFileError` wrapping the reader's typed error with the path and stage.
  public static func read(contentsOf path: String) throws -> (format: CheckpointFormat, dict: StateDict) {
    let bytes: [UInt8]
    do { bytes = try InputFile.read(path) } catch {
      throw CheckpointFileError(path: path, stage: "reading file", underlying: ReaderMessage(text: error.reason))
    }
    return try read(bytes, path: path)
  }

  /// Reads checkpoint bytes, using `path` only in error messages.
  public static func read(_ bytes: [UInt8], path: String) throws -> (format: CheckpointFormat, dict: StateDict) {
    guard let format = CheckpointSniffer.sniff(bytes) else {
      let hint = CheckpointSniffer.isTar(bytes)
        ? "a pre-0.4 tar-format torch file, which is not supported"
        : "unrecognized format; expected safetensors, a zip or legacy .pth, or an ncnn .param (first line 7767517)"
      throw CheckpointFileError(path: path, stage: "sniffing", underlying: ReaderMessage(text: hint))
    }
    do {
      switch format {
      case .safetensors: return (format, try Safetensors.read(bytes))
      case .torchZip, .torchLegacy: return (format, try TorchCheckpoint.read(bytes))
      case .ncnnParam:
        throw ReaderMessage(text: "ncnn .param files need the .param/.bin route (NCNN reader), not CheckpointReader")
      case .numpyZip:
        throw ReaderMessage(text: "a NumPy .npz archive (arrays such as NIQE parameters), not a model checkpoint")
      }
    } catch let e as TorchCheckpointError {
      throw CheckpointFileError(path: path, stage: e.stage, underlying: e)
    } catch let e as SafetensorsError {
      throw CheckpointFileError(path: path, stage: "", underlying: e)  // message already says "safetensors:"
    } catch {
      throw CheckpointFileError(path: path, stage: "reading \(format.rawValue)", underlying: error)
    }
  }
}

/// A plain one-line message used for reader-level failures that have no typed case.
public struct ReaderMessage: Error, Equatable, CustomStringConvertible, Sendable {
  /// The message.
  public var text: String
  /// A one-line message naming the subject, the problem and the numbers.
  public var description: String { text }
}
