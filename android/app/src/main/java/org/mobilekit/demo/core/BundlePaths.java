package org.mobilekit.demo.core;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The one rule for every path a manifest names (labels, artifacts and their {@code extra_files}, the
 * sample's files, the tokenizer's vocab and file, the LLM tokenizer and prompts): a bundle is data from
 * elsewhere, so a path in it must stay inside it.
 *
 * <ul>
 *   <li>{@link #check}, when the manifest is parsed: relative, not empty, forward slashes only, no
 *       {@code .} or {@code ..} segment, no empty segment, no drive letter, no control characters. A
 *       field that names a file in the bundle's top folder (artifacts, the schema's {@code ^[^/\\]+$})
 *       takes no separator at all.
 *   <li>{@link #resolve}, when a file is opened: the same check, then the real path (every symbolic link
 *       followed) must still lie inside the bundle's real directory, so a symlink in the bundle cannot
 *       point out of it.
 * </ul>
 *
 * Both throw {@link IllegalArgumentException} naming the manifest field and the path.
 */
public final class BundlePaths {
  private BundlePaths() {}

  /**
   * Checks a manifest path without touching the disk.
   *
   * @param field the manifest field, for the message (e.g. {@code "sample.inputs[1].file"})
   * @param path the path as the manifest gives it
   * @param topLevelOnly true for fields that name a file or folder directly in the bundle (artifacts)
   * @return the path
   * @throws IllegalArgumentException when the path could leave the bundle or is not a plain relative path
   */
  public static String check(String field, String path, boolean topLevelOnly) {
    String why = problem(path, topLevelOnly);
    if (why != null) {
      throw new IllegalArgumentException("manifest " + field + " " + quote(path) + " " + why
          + ": a bundle's paths are relative to its folder and stay inside it");
    }
    return path;
  }

  /**
   * {@link #check} for a path that may name a file in a sub-folder of the bundle.
   *
   * @param field the manifest field
   * @param path the path
   * @return the path
   */
  public static String check(String field, String path) {
    return check(field, path, false);
  }

  /**
   * The file a manifest path names, after {@link #check} and a look at the disk: the real path with every
   * symbolic link followed must lie inside the bundle's real directory. A path that does not exist yet
   * is checked by its nearest existing parent.
   *
   * @param bundleDir the bundle directory
   * @param field the manifest field, for the message
   * @param path the manifest path
   * @return the file inside the bundle
   * @throws IllegalArgumentException when the path leaves the bundle, literally or through a symlink
   * @throws IOException when the bundle directory cannot be resolved
   */
  public static File resolve(File bundleDir, String field, String path) throws IOException {
    check(field, path, false);
    Path root = bundleDir.toPath().toRealPath();
    Path target = root.resolve(path).normalize();
    Path existing = target;
    while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      throw new IOException("cannot resolve " + path + " in " + bundleDir);
    }
    Path real = existing.toRealPath();
    if (!real.startsWith(root)) {
      throw new IllegalArgumentException("manifest " + field + " " + quote(path) + " leads out of the bundle "
          + "through a symbolic link (to " + real + "): a bundle's files must lie inside its folder");
    }
    return target.toFile();
  }

  /** Why a path is refused, or null when it is a plain relative path. */
  static String problem(String path, boolean topLevelOnly) {
    if (path == null) {
      return "is missing";
    }
    if (path.isEmpty()) {
      return "is empty";
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return "holds a control character";
      }
    }
    if (path.indexOf('\\') >= 0) {
      return "holds a backslash (use / between folders)";
    }
    if (path.startsWith("/")) {
      return "is absolute";
    }
    if (path.length() >= 2 && path.charAt(1) == ':' && Character.isLetter(path.charAt(0))) {
      return "starts with a drive letter";
    }
    if (topLevelOnly && path.indexOf('/') >= 0) {
      return "is not a plain name in the bundle's folder";
    }
    for (String segment : path.split("/", -1)) {
      if (segment.equals("..")) {
        return "climbs out with ..";
      }
      if (segment.equals(".")) {
        return "has a . segment";
      }
      if (segment.isEmpty()) {
        return "has an empty segment";
      }
    }
    return null;
  }

  private static String quote(String s) {
    return s == null ? "(null)" : "'" + s + "'";
  }
}
