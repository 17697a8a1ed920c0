package org.mobilekit.demo.core;

/**
 * The runtime releases this app links, recorded once here (tests/apps/test_android.py fails when
 * android/app/build.gradle, android/jvm-check/pom.xml, ios/project.yml or requirements.txt say
 * otherwise), and the check of a bundle's {@code artifact.runtime_version} against them.
 *
 * <p>ExecuTorch promises no forward compatibility (runtime/COMPATIBILITY.md): a {@code .pte} from a
 * newer exporter is refused with a message that says what to do. ONNX Runtime's compatibility is by
 * ONNX opset and IR version, and the Java/Android package trails the Python wheel (no Android release
 * of the exporter's version exists), so a newer ORT bundle is not refused: the {@code .onnx} is used
 * (its opset decides) and the {@code .ort} conversion, whose format follows the exporter's ORT, only
 * when the bundle's ORT is not newer than the linked one.
 */
public final class RuntimeVersions {
  /** org.pytorch:executorch-android (and the iOS swiftpm branch): the exporter's executorch==. */
  public static final String EXECUTORCH = "1.5.1";
  /** com.microsoft.onnxruntime:onnxruntime-android (and the desktop jar the JVM tests run). */
  public static final String ONNXRUNTIME = "1.26.0";

  private RuntimeVersions() {}

  /**
   * The version this app links for a manifest {@code runtime}.
   *
   * @param runtime executorch or onnxruntime
   * @return the version, or null for runtimes this app does not link
   */
  public static String linked(String runtime) {
    switch (runtime) {
      case "executorch":
        return EXECUTORCH;
      case "onnxruntime":
        return ONNXRUNTIME;
      default:
        return null;
    }
  }

  /**
   * Compares dotted versions numerically ("1.10.0" > "1.9.2"); a suffix such as "+cpu" or "rc1" on
   * a part is ignored.
   *
   * @param a a version
   * @param b another version
   * @return negative, zero or positive as a is older than, the same as or newer than b
   */
  public static int compare(String a, String b) {
    String[] pa = a.trim().split("\\.");
    String[] pb = b.trim().split("\\.");
    for (int i = 0; i < Math.max(pa.length, pb.length); i++) {
      int x = i < pa.length ? leadingInt(pa[i]) : 0;
      int y = i < pb.length ? leadingInt(pb[i]) : 0;
      if (x != y) {
        return Integer.compare(x, y);
      }
    }
    return 0;
  }

  private static int leadingInt(String s) {
    int n = 0;
    int i = 0;
    while (i < s.length() && Character.isDigit(s.charAt(i))) {
      n = n * 10 + (s.charAt(i) - '0');
      i++;
    }
    return n;
  }

  /**
   * Refuses an artifact whose runtime is newer than the one this app links, where that runtime has
   * no forward compatibility (ExecuTorch).
   *
   * @param artifact the manifest entry
   * @throws UnsupportedArtifactException with what to do, when the bundle needs a newer ExecuTorch
   */
  public static void check(Manifest.Artifact artifact) throws UnsupportedArtifactException {
    if (!"executorch".equals(artifact.runtime) || artifact.runtimeVersion == null) {
      return;
    }
    if (compare(artifact.runtimeVersion, EXECUTORCH) > 0) {
      throw new UnsupportedArtifactException("bundle needs ExecuTorch " + artifact.runtimeVersion
          + ", this app links " + EXECUTORCH + ": update the app (org.pytorch:executorch-android:"
          + artifact.runtimeVersion + ") or re-export with executorch==" + EXECUTORCH + " ("
          + artifact.file + "; ExecuTorch programs are not forward compatible)");
    }
  }

  /**
   * Whether the {@code .ort} companion can be used: ORT-format files follow the exporter's ORT, so
   * only when that is not newer than the linked ORT (or unknown).
   *
   * @param artifact an onnxruntime artifact
   * @return true when the app may load {@link Manifest.Artifact#ortFile()} instead of the .onnx
   */
  public static boolean ortFormatUsable(Manifest.Artifact artifact) {
    return artifact.runtimeVersion == null || compare(artifact.runtimeVersion, ONNXRUNTIME) <= 0;
  }
}
