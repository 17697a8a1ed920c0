"""Device farms: the same benchmark, the same ``result.json`` and the same store, on rented phones.

One module per farm behind one small interface, plus the importer that brings results home:

- ``aws`` (:func:`~.aws.write_aws_job`): an AWS Device Farm custom-environment test spec, the bundle zip,
  the upload list and ``schedule.sh``;
- ``firebase`` (:func:`~.firebase.write_firebase_job`): ``gcloud firebase test android run`` arguments
  (instrumentation and game-loop) with ``--other-files`` and ``--directories-to-pull``;
- ``stf`` (:func:`~.stf.run_on_stf`): lease phones from a DeviceFarmer/STF server over its REST API,
  run the ordinary ``mobilekit bench`` over their remote ADB addresses, always release them;
- ``importer`` (:func:`~.importer.import_artifacts`): a farm's pulled artifacts (folder or zip) -> a run
  in the store, labelled with the farm, its energy marked invalid with the reason.

The job writers take a :class:`~.base.FarmPlan` (the bench plan's case choices) and return a
:class:`~.base.WrittenJob` (files written, what to upload, the commands to schedule it). Nothing here
knows a farm beyond its label once results are in the store.
"""

FARMS = ("aws", "firebase", "stf")
