package org.mobilekit.demo;

import android.content.Context;
import android.content.res.AssetManager;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The bundles the app can open: the demo bundles built into the APK ({@code assets/bundles/<name>/},
 * generated at build time by the {@code copyDemoBundles} Gradle task from exported bundles) copied once
 * to {@code files/bundles/} (runtimes load from a file path), plus any bundle pushed to
 * {@code <external-files>/bundles/} or {@code files/bundles/}.
 */
final class DemoBundles {
  private DemoBundles() {}

  /**
   * Copies the APK's demo bundles to {@code files/bundles/} when missing or older than the APK.
   * Call off the UI thread.
   *
   * @param context any context
   * @return the installed bundle directories
   * @throws IOException when the copy fails
   */
  static List<File> installFromAssets(Context context) throws IOException {
    AssetManager assets = context.getAssets();
    String[] names = assets.list("bundles");
    List<File> out = new ArrayList<>();
    if (names == null) {
      return out;
    }
    long stamp = apkStamp(context);
    for (String name : names) {
      String[] files = assets.list("bundles/" + name);
      if (files == null || files.length == 0) {
        continue;
      }
      File dir = new File(new File(context.getFilesDir(), "bundles"), name);
      File marker = new File(dir, ".installed-" + stamp);
      if (!marker.isFile()) {
        if (!dir.isDirectory() && !dir.mkdirs()) {
          throw new IOException("cannot create " + dir);
        }
        for (String f : files) {
          try (InputStream in = assets.open("bundles/" + name + "/" + f);
               OutputStream o = new FileOutputStream(new File(dir, f))) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
              o.write(buf, 0, n);
            }
          }
        }
        if (!marker.createNewFile() && !marker.isFile()) {
          throw new IOException("cannot write " + marker);
        }
      }
      out.add(dir);
    }
    return out;
  }

  private static long apkStamp(Context context) {
    try {
      return context.getPackageManager().getPackageInfo(context.getPackageName(), 0).lastUpdateTime;
    } catch (Exception e) {
      return 0;
    }
  }

  /**
   * Every bundle directory (one with a manifest.json) the app can open, built-in ones first.
   *
   * @param context any context
   * @return bundle directories
   */
  static List<File> all(Context context) {
    List<File> out = new ArrayList<>();
    try {
      out.addAll(installFromAssets(context));
    } catch (IOException e) {
      // the pushed bundles below still work
    }
    for (File base : new File[] {context.getExternalFilesDir(null), context.getFilesDir()}) {
      File[] dirs = base == null ? null : new File(base, "bundles").listFiles();
      if (dirs != null) {
        java.util.Arrays.sort(dirs);
        for (File d : dirs) {
          if (new File(d, "manifest.json").isFile() && !out.contains(d)) {
            out.add(d);
          }
        }
      }
    }
    return out;
  }

  /**
   * The first built-in bundle, installed.
   *
   * @param context any context
   * @return its directory, or null when the APK has none
   */
  static File firstInstalled(Context context) {
    try {
      List<File> b = installFromAssets(context);
      return b.isEmpty() ? null : b.get(0);
    } catch (IOException e) {
      return null;
    }
  }
}
