import Foundation
import SRConfig
import SRPipeline
import SRTensor
import Testing

/// Model labels: never merged, unique by the shortest parent path, clashes named.
@Suite("Model labels and --model NAME=PATH")
struct ModelLabelTests {
  @Test func sameFileNamesGetTheirRunFolder() throws {
    let labels = try Workload.labels([(nil, "/exp/runA/iter_9000.safetensors"), (nil, "/exp/runB/iter_9000.safetensors"),
                                      (nil, "/exp/runB/iter_3000.safetensors")])
    #expect(labels == ["runA/iter_9000", "runB/iter_9000", "iter_3000"])
  }

  @Test func deeperClashesGoDeeper() throws {
    let labels = try Workload.labels([(nil, "/a/x/run/m.pth"), (nil, "/b/x/run/m.pth"), (nil, "/c/m.param")])
    #expect(labels == ["a/x/run/m", "b/x/run/m", "c/m"])
  }

  @Test func explicitNamesWinAndDefaultLabelsAvoidThem() throws {
    let labels = try Workload.labels([("iter_9000", "/r/a/iter_9000.safetensors"), (nil, "/r/b/iter_9000.safetensors")])
    #expect(labels == ["iter_9000", "b/iter_9000"])
  }

  @Test func identicalLabelsAreAnErrorNamingBothPaths() {
    #expect(throws: ManifestError(path: "command line",
                                  reason: "two models are labelled 'x': /r/a.pth and /r/b.pth; name them (NAME=PATH)")) {
      try Workload.labels([("x", "/r/a.pth"), ("x", "/r/b.pth")])
    }
    // The same file twice cannot be told apart by its folders either.
    #expect(throws: ManifestError(path: "command line",
                                  reason: "two models are labelled 'r/a': /r/a.pth and /r/a.pth; name them (NAME=PATH)")) {
      try Workload.labels([(nil, "/r/a.pth"), (nil, "/r/a.pth")])
    }
    #expect(throws: ManifestError(path: "command line", reason: "model /m/bicubic.pth is labelled 'bicubic', the baseline's label; "
      + "give it another name (NAME=PATH)")) {
      try Workload.labels([(nil, "/m/bicubic.pth")])
    }
  }

  @Test func modelSpecParsing() throws {
    #expect(try ModelSpec(argument: "EDSR=/results/EDSR_x4") == ModelSpec(name: "EDSR", path: "/results/EDSR_x4"))
    #expect(try ModelSpec(argument: "runs/a.pth") == ModelSpec(name: nil, path: "runs/a.pth"))
    // A file whose name holds '=' is a path, not NAME=PATH.
    let dir = try scratchFolder("spec")
    _ = FileManager.default.createFile(atPath: dir + "/lr=1e-4.pth", contents: Data())
    #expect(try ModelSpec(argument: dir + "/lr=1e-4.pth") == ModelSpec(name: nil, path: dir + "/lr=1e-4.pth"))
    #expect(throws: ManifestError(path: "command line", reason: "--model '=a.pth': expected NAME=PATH with both parts non-empty")) {
      try ModelSpec(argument: "=a.pth")
    }
  }

  @Test func manifestsMayOmitNamesAndUseTheBicubicBaseline() throws {
    let dir = try scratchFolder("unnamed")
    try FileManager.default.createDirectory(atPath: dir + "/hr", withIntermediateDirectories: true)
    _ = FileManager.default.createFile(atPath: dir + "/hr/a.png", contents: Data())
    let text = """
      scale: 4
      images: {hr: hr}
      baseline: bicubic
      models:
        - {path: runA/iter_9000.safetensors}
        - {path: runB/iter_9000.safetensors}
      """
    try text.write(toFile: dir + "/m.yml", atomically: true, encoding: .utf8)
    let w = try Workload.resolve(manifest: try Manifest.load(path: dir + "/m.yml"), manifestPath: dir + "/m.yml",
                                 models: [], extraModels: .append, hr: nil, lr: nil)
    #expect(w.models.map(\.name) == ["runA/iter_9000", "runB/iter_9000"])
    #expect(w.baseline == "bicubic")
  }
}

/// Manifests: unknown keys, YAML errors and bad values are one line with the position.
@Suite("Manifest errors")
struct ManifestErrorTests {
  static func load(_ text: String, tag: String) throws -> (String, () throws -> Manifest) {
    let dir = try scratchFolder("manifest-" + tag)
    try text.write(toFile: dir + "/m.yml", atomically: true, encoding: .utf8)
    return (dir + "/m.yml", { try Manifest.load(path: dir + "/m.yml") })
  }

  @Test(arguments: [
    ("scale: 4\nimages: {hr: x, lr2: y}\nmodels: []\n", "2:17: unknown key 'lr2' in images (valid: files, hr, lr)"),
    ("scale: 4\nimages: {hr: x}\nmodels:\n  - {path: a, nmae: b}\n",
     "4:15: unknown key 'nmae' in models.0 (valid: group, name, path, training_log)"),
    ("scale: 4\nimages: {hr: x\nmodels: []\n", "3:7: invalid YAML: did not find expected ',' or '}'"),
    ("scale: four\nimages: {hr: x}\nmodels: []\n", "1:8: scale: expected an integer"),
    ("scale: 4\nmodels: []\n", "1:1: missing key 'images'"),
    ("scale: 0\nimages: {hr: x}\nmodels: []\n", "scale must be 1 to 16, not 0"),
    ("scale: -3\nimages: {hr: x}\nmodels: []\n", "scale must be 1 to 16, not -3"),
    ("scale: 4\nimages: {hr: ''}\nmodels: []\n", "images.hr is empty"),
    ("scale: 4\nimages: {hr: x}\nmodels:\n  - {path: ''}\n", "models.0.path is empty"),
    ("- a\n- b\n", "1:1: the document must be a mapping of keys to values"),
  ])
  func oneLineErrors(text: String, expected: String) throws {
    let (path, load) = try Self.load(text, tag: "\(abs(expected.hashValue))")
    do {
      _ = try load()
      Issue.record("accepted: \(text)")
    } catch {
      #expect("\(error)" == path + ": " + expected)
      #expect(!"\(error)".contains("\n"))
    }
  }

  @Test func aDirectoryOrFIFOIsRefusedNotRead() throws {
    let dir = try scratchFolder("manifest-special")
    #expect(throws: ManifestError(path: dir, reason: "is a directory, not a regular file")) { try Manifest.load(path: dir) }
    let fifo = dir + "/fifo.yml"
    #expect(mkfifo(fifo, 0o600) == 0)
    #expect(throws: ManifestError(path: fifo, reason: "is a FIFO, not a regular file")) { try Manifest.load(path: fifo) }
  }

  @Test func controlBytesAreEscaped() {
    #expect(Printable.escape("os\u{0}sys\u{0B}tem\n") == "os\\0sys\\x0btem\\n")
  }
}

/// Folders of SR images from other tools, matched to HR names.
@Suite("Results folders")
struct ResultsFolderTests {
  @Test func matchesSameStemOrStemUnderscoreSuffix() throws {
    let dir = try scratchFolder("results-match")
    for name in ["baboon_x4_SR.png", "img_1_EDSR.png", "img_10_EDSR.png", "a.png", "a_b_x4.png", "unrelated.png"] {
      _ = FileManager.default.createFile(atPath: dir + "/" + name, contents: Data())
    }
    let r = try ResultsFolder.match(folder: dir, hrNames: ["baboon.png", "img_1.png", "img_10.png", "a.png", "a_b.png"], model: "EDSR")
    #expect(r.files == ["baboon.png": "baboon_x4_SR.png", "img_1.png": "img_1_EDSR.png", "img_10.png": "img_10_EDSR.png",
                        "a.png": "a.png", "a_b.png": "a_b_x4.png"])
  }

  @Test func missingFilesAreListed() throws {
    let dir = try scratchFolder("results-missing")
    _ = FileManager.default.createFile(atPath: dir + "/a_SR.png", contents: Data())
    #expect(throws: EvalError.badPair("model 'EDSR': \(dir) has no SR image for 2 of 3 HR files: b.png, c.png")) {
      try ResultsFolder.match(folder: dir, hrNames: ["a.png", "b.png", "c.png"], model: "EDSR")
    }
    _ = FileManager.default.createFile(atPath: dir + "/b_x4.png", contents: Data())
    _ = FileManager.default.createFile(atPath: dir + "/b_x4_v2.png", contents: Data())
    #expect(throws: EvalError.badPair("model 'EDSR': several SR images in \(dir) match b.png: b_x4.png, b_x4_v2.png")) {
      try ResultsFolder.match(folder: dir, hrNames: ["a.png", "b.png"], model: "EDSR")
    }
  }
}

/// Reports: JSON round trip, shard merge, LaTeX.
@Suite("Eval reports, shards and LaTeX")
struct EvalReportTests {
  static func row(_ model: String, _ image: String, psnr: Double, lpips: Double, seconds: Double? = 0.5) -> EvalRow {
    var m = MetricValues()
    m.psnr_y = psnr; m.ssim_y = psnr / 40; m.lpips_alex = lpips
    return EvalRow(model: model, image: image, metrics: m, parameters: model == "bicubic" ? nil : 1234,
                   seconds: seconds, cached: seconds == nil)
  }

  static func full() -> EvalResult {
    var r = EvalResult(models: [.init(name: "bicubic", path: "bicubic", parameters: nil),
                                .init(name: "run_a", path: "/r/a.pth", parameters: 1234),
                                .init(name: "b", path: "/r/b.pth", parameters: 1234)],
                       images: ["x.png", "y.png", "z.png"], scale: 4, cropBorder: 4)
    // Values with long binary expansions, so a lossy round trip would show.
    for (m, i) in r.pairs {
      r.rows.append(row(r.models[m].name, r.images[i], psnr: 27 + Double(m) / 3 + Double(i) / 7, lpips: 0.1 + Double(m * 3 + i) / 11,
                        seconds: i == 2 ? nil : 0.1 * Double(i + 1)))
    }
    return r
  }

  static func shards(_ n: Int) -> [EvalResult] {
    let r = full()
    return (1...n).map { k in
      var s = r
      s.shard = .init(index: k, count: n)
      s.rows = r.rows.enumerated().filter { EvalResult.belongs($0.offset, to: s.shard) }.map(\.element)
      return s
    }
  }

  @Test func jsonRoundTripsExactly() throws {
    var r = Self.full()
    r.rows[0].metrics.psnr_y = .infinity
    let back = try EvalResult.decode(Array(try r.json().utf8), path: "x.json")
    #expect(back == r)
  }

  @Test func mergedShardsGiveTheUnshardedReport() throws {
    let parts = try Self.shards(3).enumerated().map { k, s in
      ("s\(k).json", try EvalResult.decode(Array(try s.json().utf8), path: "s\(k).json"))
    }
    #expect(parts.map(\.1.rows.count) == [3, 3, 3])
    let merged = try EvalResult.merge(parts.reversed())
    #expect(merged == Self.full())
    for format in EvalReport.Format.allCases {
      #expect(try EvalReport.render(merged, format: format) == (try EvalReport.render(Self.full(), format: format)))
    }
  }

  @Test func mergeNamesWhatIsWrong() throws {
    let s = Self.shards(3)
    #expect(throws: EvalError.merge("3 of 9 results missing (first: bicubic on y.png); shards not given: 2 of 3")) {
      try EvalResult.merge([("a.json", s[0]), ("c.json", s[2])])
    }
    #expect(throws: EvalError.merge("bicubic on x.png appears twice (again in b.json)")) {
      try EvalResult.merge([("a.json", s[0]), ("b.json", s[0])])
    }
    var other = s[1]
    other.cropBorder = 0
    #expect(throws: EvalError.merge("b.json is not a shard of the same evaluation as a.json (models, images, scale or crop border differ)")) {
      try EvalResult.merge([("a.json", s[0]), ("b.json", other)])
    }
    #expect(throws: EvalError.merge("n.json is not an srscope eval JSON (missing key 'format')")) {
      try EvalResult.decode(Array("{}".utf8), path: "n.json")
    }
  }

  @Test func latexBoldsTheBestOfEachColumnAndEscapesLabels() {
    let rows = [Self.row("bicubic", "x", psnr: 27, lpips: 0.4), Self.row("run_a", "x", psnr: 28.5, lpips: 0.35),
                Self.row("b&c", "x", psnr: 28.1, lpips: 0.2)]
    let tex = EvalReport.render(rows, format: .latex).split(separator: "\n").map(String.init)
    #expect(tex[0] == "% srscope eval: means over 1 images")
    #expect(tex[1] == "\\begin{tabular}{lrrrrr}" && tex[2] == "\\toprule" && tex[5] == "bicubic & 27.00 & 0.6750 & 0.4000 & -- & -- \\\\")
    #expect(tex[6] == "run\\_a & \\textbf{28.50} & \\textbf{0.7125} & 0.3500 & -- & 0.00M \\\\")
    #expect(tex[7] == "b\\&c & 28.10 & 0.7025 & \\textbf{0.2000} & -- & 0.00M \\\\")
    #expect(tex.suffix(2) == ["\\bottomrule", "\\end{tabular}"])
  }
}

@Suite("Input files")
struct InputFileTests {
  @Test func onlyRegularFilesAreRead() throws {
    #expect(throws: InputFileError(path: "/tmp", reason: "is a directory, not a regular file")) { try InputFile.read("/tmp") }
    #expect(throws: InputFileError(path: "/dev/zero", reason: "is a device, not a regular file")) { try InputFile.read("/dev/zero") }
    #expect(throws: InputFileError(path: "/proc/self/status", reason: "is a kernel (/proc or /sys) file, not a regular file")) {
      try InputFile.read("/proc/self/status")
    }
    #expect(throws: InputFileError(path: "", reason: "empty path")) { try InputFile.read("") }
    let dir = try scratchFolder("inputfile")
    try Data([1, 2, 3]).write(to: URL(fileURLWithPath: dir + "/f"))
    #expect(try InputFile.read(dir + "/f") == [1, 2, 3])
    #expect(throws: InputFileError(path: dir + "/f", reason: "3 bytes is more than the limit of 2")) { try InputFile.read(dir + "/f", maxBytes: 2) }
  }
}

@Suite("Caches")
struct CacheTests {
  @Test func incrementalSHA256EqualsOneShot() {
    let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
    for split in [0, 1, 55, 56, 63, 64, 65, 999, 1000] {
      var h = SHA256.Hasher()
      bytes[..<split].withUnsafeBytes { h.update($0) }
      bytes[split...].withUnsafeBytes { h.update($0) }
      #expect(h.hexDigest() == SHA256.hex(bytes), "split at \(split)")
    }
  }

  @Test func metricCacheRoundTripsValuesNotesAndMap() throws {
    let cache = MetricCache(root: try scratchFolder("metric-cache"))
    var v = MetricValues()
    v.psnr_y = .infinity; v.ssim_y = 0.912345678901; v.niqe = nil
    v.notes = ["niqe: image smaller than two 96-pixel blocks"]
    v.lpipsAlexMap = Tensor(shape: [1, 2, 3], data: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    let key = MetricCache.key(output: "network:abc", image: "img", cropBorder: 4, selection: "11:true:false:true")
    #expect(cache.load(key: key, needMap: false) == nil)
    cache.store(v, key: key)
    let back = try #require(cache.load(key: key, needMap: true))
    #expect(back.psnr_y == .infinity && back.ssim_y == 0.912345678901 && back.niqe == nil && back.notes == v.notes)
    #expect(back.lpipsAlexMap == v.lpipsAlexMap)
    // Any part of the key changes it.
    #expect(key != MetricCache.key(output: "network:abc", image: "img", cropBorder: 0, selection: "11:true:false:true"))
    #expect(key != MetricCache.key(output: "bicubic", image: "img", cropBorder: 4, selection: "11:true:false:true"))
  }

  @Test func modelKeysAreRememberedUntilTheFileChanges() throws {
    let dir = try scratchFolder("model-key")
    setenv("SRSCOPE_CACHE", dir + "/cache", 1)
    defer { unsetenv("SRSCOPE_CACHE") }
    let path = dir + "/m.safetensors"
    try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path))
    let first = try OutputCache.modelKey(path: path)
    #expect(try OutputCache.modelKey(path: path) == first)
    #expect(FileManager.default.fileExists(atPath: dir + "/cache/model-keys"))
    try Data([1, 2, 3, 4]).write(to: URL(fileURLWithPath: path))  // new content, new size
    #expect(try OutputCache.modelKey(path: path) != first)
  }
}

@Suite("Image selection")
struct ImageSelectionTests {
  @Test func globsAndListsPickImages() throws {
    let names = ["baboon.png", "img_001.png", "img_002.png", "img_010.png", "zebra.jpg"]
    #expect(try ImageFolder.select(names, patterns: ["img_00?.png"], folder: "/hr") == ["img_001.png", "img_002.png"])
    #expect(try ImageFolder.select(names, patterns: ["zebra.jpg,baboon.png"], folder: "/hr") == ["baboon.png", "zebra.jpg"])
    #expect(try ImageFolder.select(names, patterns: ["*"], folder: "/hr") == names)
    #expect(throws: EvalError.noImages("no image in /hr matches 'lenna*'")) { try ImageFolder.select(names, patterns: ["lenna*"], folder: "/hr") }
  }
}
