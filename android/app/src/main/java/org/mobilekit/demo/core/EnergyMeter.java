package org.mobilekit.demo.core;

import java.util.List;

/** Samples the battery on its own thread (about 10 Hz on Android) between {@link #start} and {@link #stop}. */
public interface EnergyMeter {
  /** Starts sampling; readings before this call are dropped. */
  void start();

  /**
   * Stops sampling.
   *
   * @return the readings since {@link #start}, in time order
   */
  List<BatterySample> stop();

  /**
   * Whether a charger is connected (then battery current includes the charger and energy is invalid).
   *
   * @return true when plugged in (AC, USB or wireless)
   */
  boolean charging();
}
