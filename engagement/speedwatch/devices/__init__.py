"""Speed detection devices: the team's register, annual calibration, and which shift holds which device.

models (Device, DeviceCalibration), services (register, calibrate, assign to a shift), queries,
warnings (the worker's calibration warnings), forms, views.
"""
