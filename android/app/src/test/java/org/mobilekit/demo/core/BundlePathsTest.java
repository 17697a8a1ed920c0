package org.mobilekit.demo.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.Test;

/**
 * Issue 17's one path check in the Java manifest reader: every path a manifest names is relative, stays
 * inside the bundle (no {@code ..}, not absolute, no drive letter, no backslash) and, when opened, does
 * not leave the bundle through a symbolic link.
 */
public class BundlePathsTest {
  @Test
  public void plainRelativePathsPass() {
    for (String ok : new String[] {"labels.txt", "sample_input.bin", "genai/model.onnx", "a.b/c..d", "..x", "x.."}) {
      assertNull(ok, BundlePaths.problem(ok, false));
    }
    assertNull(BundlePaths.problem("m.xnnpack.int8.pte", true));
  }

  @Test
  public void pathsThatCouldLeaveTheBundleAreRefused() {
    String[][] cases = {
        {"../SECRET", "climbs out"}, {"..", "climbs out"}, {"a/../../b", "climbs out"}, {"/abs/SECRET", "absolute"},
        {"C:x", "drive letter"}, {"a\\..\\b", "backslash"}, {"", "empty"}, {"a//b", "empty segment"},
        {"./x", ". segment"}, {"a/", "empty segment"}, {"a\u0000b", "control character"},
    };
    for (String[] c : cases) {
      String why = BundlePaths.problem(c[0], false);
      assertTrue(c[0] + " -> " + why, why != null && why.contains(c[1]));
    }
    assertTrue(BundlePaths.problem("sub/m.pte", true).contains("plain name"));
  }

  @Test
  public void theManifestReaderChecksEveryPathField() {
    String[][] hostile = {
        {"\"labels\": null", "\"labels\": \"/abs/SECRET\"", "labels"},
        {"\"labels\": null", "\"labels\": \"../SECRET\"", "labels"},
        {"\"file\": \"m.ptl\"", "\"file\": \"..\"", "artifacts[0].file"},
        {"\"file\": \"m.ptl\"", "\"file\": \"sub/m.ptl\"", "artifacts[0].file"},
        {"\"sha256\": \"00\"}", "\"sha256\": \"00\", \"extra_files\": [\"../x.ort\"]}", "artifacts[0].extra_files[0]"},
        {"\"labels\": null", "\"labels\": null, \"sample\": {\"input\": \"/etc/passwd\"}", "sample.input"},
        {"\"labels\": null", "\"labels\": null, \"sample\": {\"input\": \"s.bin\", \"expected_output\": \"../o.bin\"}",
            "sample.expected_output"},
        {"\"labels\": null", "\"labels\": null, \"sample\": {\"input\": \"s.bin\", \"inputs\": [{\"name\": \"x\","
            + " \"file\": \"../../x.bin\", \"dtype\": \"float32\", \"shape\": [1]}]}", "sample.inputs[0].file"},
        {"\"labels\": null", "\"labels\": null, \"sample\": {\"input\": \"s.bin\", \"outputs\": [{\"name\": \"y\","
            + " \"file\": \"/tmp/y.bin\"}]}", "sample.outputs[0].file"},
        {"\"labels\": null", "\"labels\": null, \"tokenizer\": {\"kind\": \"wordpiece\", \"vocab\": \"../vocab.txt\","
            + " \"max_length\": 8, \"inputs\": {\"input_ids\": \"x\"}}", "tokenizer.vocab"},
    };
    String base = ManifestTest.MINIMAL.replace("\"artifacts\"", "\"labels\": null, \"artifacts\"");
    Manifest.parse(base);
    for (String[] h : hostile) {
      assertTrue(h[0], base.contains(h[0]));
      try {
        Manifest.parse(base.replace(h[0], h[1]));
        fail("accepted " + h[1]);
      } catch (IllegalArgumentException e) {
        assertTrue(e.getMessage(), e.getMessage().contains("manifest " + h[2] + " "));
        assertTrue(e.getMessage(), e.getMessage().contains("stay inside it"));
      }
    }
  }

  @Test
  public void aSymlinkOutOfTheBundleIsRefusedWhenOpened() throws Exception {
    File root = Files.createTempDirectory("bundle-paths").toFile();
    File bundle = new File(root, "bundle");
    File outside = new File(root, "SECRET");
    assertTrue(bundle.mkdirs());
    Files.write(outside.toPath(), "secret\n".getBytes(StandardCharsets.UTF_8));
    Files.write(new File(bundle, "labels.txt").toPath(), "a\nb\n".getBytes(StandardCharsets.UTF_8));
    Files.createSymbolicLink(new File(bundle, "evil.txt").toPath(), outside.toPath());
    File sub = new File(bundle, "sub");
    assertTrue(sub.mkdirs());
    Files.createSymbolicLink(new File(bundle, "up").toPath(), root.toPath());
    // inside: a plain file, a file that does not exist yet, a sub-folder
    assertEquals(new File(bundle, "labels.txt").getCanonicalFile(),
        BundlePaths.resolve(bundle, "labels", "labels.txt").getCanonicalFile());
    BundlePaths.resolve(bundle, "x", "sub/not-yet.bin");
    // a detour that lands back inside the bundle is harmless
    BundlePaths.resolve(bundle, "labels", "up/bundle/labels.txt");
    for (String evil : new String[] {"evil.txt", "up/SECRET", "up"}) {
      try {
        BundlePaths.resolve(bundle, "labels", evil);
        fail(evil);
      } catch (IllegalArgumentException e) {
        assertTrue(e.getMessage(), e.getMessage().contains("symbolic link"));
      }
    }
    // and through the manifest reader: labels naming the symlink are read from nowhere
    String manifest = ManifestTest.MINIMAL.replace("\"artifacts\"", "\"labels\": \"evil.txt\", \"artifacts\"");
    Manifest m = Manifest.parse(manifest);
    try {
      m.readLabels(bundle);
      fail("read labels through a symlink out of the bundle");
    } catch (IllegalArgumentException e) {
      assertTrue(e.getMessage(), e.getMessage().contains("manifest labels 'evil.txt' leads out of the bundle"));
    }
  }

  @Test
  public void folderChecksumsFollowTheExportersOrder() throws Exception {
    // sorted(Path) compares segment by segment: "a/b" < "a-c" although "a-c" < "a/b" as strings.
    assertTrue(Benchmark.compareSegments(new String[] {"a", "b"}, new String[] {"a-c"}) < 0);
    assertTrue(Benchmark.compareSegments(new String[] {"a"}, new String[] {"a", "b"}) < 0);
    File ref = TestFiles.reference();
    org.json.JSONObject folder = TestFiles.json(new File(ref, "index.json")).getJSONObject("folder_sha256");
    assertEquals(folder.getString("sha256"), Benchmark.sha256(new File(ref, folder.getString("path"))));
  }
}
