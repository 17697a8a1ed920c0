package org.mobilekit.demo.core;

/** An artifact this build of the app cannot run; the message says what would run it. */
public final class UnsupportedArtifactException extends Exception {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what cannot run and what to do instead
   */
  public UnsupportedArtifactException(String message) {
    super(message);
  }
}
