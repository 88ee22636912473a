#pragma once

#include <QList>
#include <QSize>

// Picks the camera mode to ask for: the size nearest the call's (640x480 by default) among
// the modes that reach the call's frame rate, or the fastest modes when none does. Larger
// beats smaller at equal distance, since scaling down looks better than scaling up. Plain
// data, so the rule is tested without a camera.
struct CameraMode
{
    QSize resolution;
    float maxFps = 0;
};

// The index of the chosen mode, -1 for an empty list.
int chooseCameraMode(const QList<CameraMode> &modes, QSize wanted, float fps);
