import Foundation
import SRPipeline
import SRTensor
import Testing

/// A fresh empty folder under the temporary directory, `srpipeline-<name>-<pid>`. The folders of
/// test processes that have exited are removed first, so test runs do not pile them up.
func scratchFolder(_ name: String) throws -> String {
  let fm = FileManager.default
  for old in (try? fm.contentsOfDirectory(atPath: NSTemporaryDirectory())) ?? [] where old.hasPrefix("srpipeline-") {
    if let pid = old.split(separator: "-").last.flatMap({ Int32($0) }), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH {
      try? fm.removeItem(atPath: NSTemporaryDirectory() + old)
    }
  }
  let path = NSTemporaryDirectory() + "srpipeline-\(name)-\(getpid())"
  try? fm.removeItem(atPath: path)
  try fm.createDirectory(atPath: path, withIntermediateDirectories: true)
  return path
}

@Suite("Pipeline inputs and outputs")
struct PipelineTests {
  @Test func sha256KnownVectors() {
    // FIPS 180-4 examples.
    #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
    #expect(SHA256.hex(long) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
  }

  @Test func missingOrEmptyImageFolderIsAOneLineError() throws {
    #expect(throws: EvalError.noImages(
      "/nonexistent-srscope is not a readable folder (the demo photos come from Scripts/fetch-assets.sh)")) {
      try ImageFolder.list("/nonexistent-srscope")
    }
    let empty = try scratchFolder("empty")
    #expect(throws: EvalError.noImages("no PNG or JPEG files in \(empty)")) { try ImageFolder.list(empty) }
  }

  @Test func imageFolderListsPNGAndJPEGAndSaysWhatItSkips() throws {
    let dir = try scratchFolder("listing")
    for name in ["b.png", "a.PNG", "c.JPG", "d.jpeg", "notes.txt", ".DS_Store"] {
      _ = FileManager.default.createFile(atPath: dir + "/" + name, contents: Data())
    }
    try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: true)
    let listing = try ImageFolder.list(dir)
    #expect(listing.names == ["a.PNG", "b.png", "c.JPG", "d.jpeg"])
    #expect(listing.skipped.map(\.description) == [".DS_Store: not a .png, .jpg or .jpeg file",
                                                    "notes.txt: not a .png, .jpg or .jpeg file",
                                                    "sub: a folder (folders are not searched)"])
  }

  @Test func manifestResolvesVariablesAndRelativePaths() throws {
    let dir = try scratchFolder("manifest")
    let text = """
      scale: 4
      images: {hr: '${SRSCOPE_ASSETS}/photos'}
      baseline: a
      models:
        - {name: a, path: runs/a.safetensors}
        - {name: b, path: /abs/b.param}
      comparisons:
        - {name: pair, models: [a, b]}
      """
    try text.write(toFile: dir + "/m.yml", atomically: true, encoding: .utf8)
    let m = try Manifest.load(path: dir + "/m.yml", environment: ["SRSCOPE_ASSETS": "/assets"])
    #expect(m.images.hr == "/assets/photos")
    #expect(m.models.map(\.path) == [dir + "/runs/a.safetensors", "/abs/b.param"])
    #expect(m.baseline == "a")
  }

  @Test(arguments: [
    ("baseline: z\nmodels:\n  - {name: a, path: a}", "baseline 'z' is not a model (have: bicubic, a)"),
    ("models:\n  - {name: a, path: a}\n  - {name: a, path: b}",
     "two models are labelled 'a': DIR/a and DIR/b; name them (NAME=PATH)"),
    ("models:\n  - {name: a, path: a}\ncomparisons:\n  - {name: c, models: [a, q]}",
     "comparison 'c' names unknown model 'q'"),
  ])
  func badManifestsNameTheProblem(body: String, reason: String) throws {
    let dir = try scratchFolder("bad-\(abs(reason.hashValue))")
    try ("scale: 4\nimages: {hr: x}\n" + body).write(toFile: dir + "/m.yml", atomically: true, encoding: .utf8)
    #expect(throws: ManifestError(path: dir + "/m.yml", reason: reason.replacingOccurrences(of: "DIR", with: dir))) {
      let path = dir + "/m.yml"
      try Workload.resolve(manifest: try Manifest.load(path: path), manifestPath: path, models: [], extraModels: .append,
                           hr: nil, lr: nil)
    }
  }

  @Test func metricJSONHasExactlyTheSevenKeys() throws {
    var v = MetricValues()
    v.psnr_y = .infinity
    v.ssim_y = 1
    let o = v.jsonObject()
    #expect(Set(o.keys) == ["psnr_y", "ssim_y", "psnr_rgb", "ssim_rgb", "lpips_alex", "lpips_vgg", "niqe"])
    #expect(o["psnr_y"] as? String == "inf")
    #expect(o["ssim_y"] as? Double == 1)
    #expect(o["niqe"] is NSNull)
  }

  @Test func reportMeanSkipsMissingValues() {
    var a = MetricValues(), b = MetricValues()
    a.psnr_y = 30; b.psnr_y = 32
    a.niqe = 5  // b's NIQE could not be computed
    let rows = [EvalRow(model: "m", image: "1", metrics: a, parameters: 10, seconds: 1, cached: false),
                EvalRow(model: "m", image: "2", metrics: b, parameters: 10, seconds: 2, cached: false),
                EvalRow(model: "m", image: "3", metrics: b, parameters: 10, seconds: nil, cached: true)]
    let mean = EvalReport.mean(rows)
    #expect(abs(mean.psnr_y! - 94.0 / 3) < 1e-12)
    #expect(mean.niqe == 5)
    #expect(mean.lpips_alex == nil)
    let csv = EvalReport.render(rows, format: .csv).split(separator: "\n", omittingEmptySubsequences: false)
    #expect(csv.first == "model,image,psnr_y,ssim_y,lpips_alex,niqe,params,seconds,images")
    #expect(csv[3] == "m,3,32.0000,-,-,-,10,cached,")
    // The mean's seconds are over the images where inference ran (1 and 2 s), not their sum.
    #expect(csv[4] == "m,mean,31.3333,-,-,5.0000,10,1.50,3")
  }
}

/// How `eval`, `view` and `compare` merge a manifest with `--model`, `--hr` and `--lr`.
@Suite("Workload: manifest plus command-line options")
struct WorkloadTests {
  /// `tag` keeps the scratch folders of tests running in parallel apart.
  static func manifest(hr: String, tag: String) throws -> (Manifest, String) {
    let dir = try scratchFolder("workload-manifest-" + tag)
    let text = """
      scale: 4
      images: {hr: '\(hr)', files: [b.png, a.png]}
      baseline: a
      models:
        - {name: a, path: /m/a.safetensors, training_log: /m/a/log.csv}
        - {name: b, path: /m/b.param}
      """
    try text.write(toFile: dir + "/m.yml", atomically: true, encoding: .utf8)
    return (try Manifest.load(path: dir + "/m.yml"), dir + "/m.yml")
  }

  @Test func extraModelsAppendOrReplace() throws {
    let (m, path) = try Self.manifest(hr: "/photos", tag: "extra")
    let appended = try Workload.resolve(manifest: m, manifestPath: path, models: [ModelSpec(name: nil, path: "/x/run_7.safetensors")],
                                        extraModels: .append, hr: nil, lr: nil)
    #expect(appended.models.map(\.name) == ["a", "b", "run_7"])
    #expect(appended.models.map(\.trainingLog) == ["/m/a/log.csv", nil, nil])
    #expect(appended.imagePaths == ["/photos/b.png", "/photos/a.png"])
    #expect(appended.scale == 4 && appended.baseline == "a" && appended.lrFolder == nil)
    let replaced = try Workload.resolve(manifest: m, manifestPath: path, models: [ModelSpec(name: nil, path: "/x/run_7.safetensors")],
                                        extraModels: .replace, hr: nil, lr: "/lr")
    #expect(replaced.models.map(\.name) == ["run_7"])
    #expect(replaced.lrFolder == "/lr")
    let kept = try Workload.resolve(manifest: m, manifestPath: path, models: [], extraModels: .replace, hr: nil, lr: nil)
    #expect(kept.models.map(\.name) == ["a", "b"])
  }

  @Test func anHROptionListsItsOwnFolderNotTheManifestFiles() throws {
    let (m, path) = try Self.manifest(hr: "/photos", tag: "hr")
    let other = try scratchFolder("workload-hr")
    for name in ["z.png", "c.png", "notes.txt"] { _ = FileManager.default.createFile(atPath: other + "/" + name, contents: Data()) }
    let w = try Workload.resolve(manifest: m, manifestPath: path, models: [], extraModels: .append, hr: other, lr: nil)
    #expect(w.hrFolder == other)
    #expect(w.imageNames == ["c.png", "z.png"])
  }

  @Test func noHRFolderIsAOneLineError() {
    #expect(throws: ManifestError(path: "command line", reason: "no HR folder: give --hr or a manifest")) {
      try Workload.resolve(manifest: nil, models: [ModelSpec(name: nil, path: "/x/a.pth")], extraModels: .append, hr: nil, lr: nil)
    }
  }
}
