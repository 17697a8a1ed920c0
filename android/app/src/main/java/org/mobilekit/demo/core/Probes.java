package org.mobilekit.demo.core;

import org.json.JSONException;
import org.json.JSONObject;

/**
 * What the benchmark asks the platform: device facts, memory, thermal state and the battery. The
 * Android implementation is {@code org.mobilekit.demo.AndroidProbes}; tests on the JVM pass a fake.
 * Every reading may be null when the phone does not have it.
 */
public interface Probes {
  /**
   * The result's {@code device} object (model is required).
   *
   * @return device facts
   * @throws JSONException never in practice
   */
  JSONObject device() throws JSONException;

  /**
   * The result's {@code app} object (package, version, platform).
   *
   * @return app facts
   * @throws JSONException never in practice
   */
  JSONObject app() throws JSONException;

  /**
   * Proportional set size of this process in kB ({@code Debug.MemoryInfo.getTotalPss}).
   *
   * @return kB, or null
   */
  Integer pssKb();

  /**
   * {@code PowerManager.getCurrentThermalStatus()} (API 29+).
   *
   * @return 0 (none) .. 6 (shutdown), or null
   */
  Integer thermalStatus();

  /**
   * Battery temperature from the sticky battery intent.
   *
   * @return °C, or null
   */
  Double batteryTempC();

  /**
   * What the phone was doing around the run, for result.json's {@code device_state}: {@code
   * screen_on} (PowerManager.isInteractive), {@code keyguard_locked}, {@code power_save} (battery
   * saver), {@code thermal_status}, {@code plugged} (BatteryManager's view, fooled by {@code dumpsys
   * battery unplug}). Unknown values are JSON null.
   *
   * @return the state object
   * @throws JSONException never in practice
   */
  JSONObject deviceState() throws JSONException;

  /**
   * A battery sampler for the energy figures.
   *
   * @return a new meter, or null when the platform has none
   */
  EnergyMeter energyMeter();
}
