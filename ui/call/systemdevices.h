#pragma once

#include "callfeature.h"

// The cameras, microphones and speakers Qt Multimedia sees now, as DeviceSpec strings
// ("camera:ID", "mic:ID", "speaker:ID") with the system's names: what the call window's
// Devices menu and the Settings dialog's Devices page (CallFeature::availableDevices) list.
class SystemDevices
{
public:
    static QList<CallFeature::Device> list(DeviceSpec::Role role);
};
