#include "media/cameramode.h"

#include <cmath>
#include <limits>

int chooseCameraMode(const QList<CameraMode> &modes, QSize wanted, float fps)
{
    float bestFps = 0;
    for (const CameraMode &m : modes)
        bestFps = std::max(bestFps, m.maxFps);
    const float floorFps = std::min(fps, bestFps);

    int best = -1;
    double bestScore = std::numeric_limits<double>::max();
    const double wantedArea = double(wanted.width()) * wanted.height();
    for (int i = 0; i < modes.size(); ++i) {
        const CameraMode &m = modes.at(i);
        if (m.maxFps + 0.5f < floorFps || m.resolution.isEmpty())
            continue;
        const double area = double(m.resolution.width()) * m.resolution.height();
        // Distance in log-area, so 320x240 and 1280x960 are equally far from 640x480; a
        // small bonus for larger and for a matching aspect ratio breaks ties.
        double score = std::abs(std::log(area / wantedArea));
        if (area < wantedArea)
            score += 0.01;
        const double aspect = double(m.resolution.width()) / m.resolution.height();
        const double wantedAspect = double(wanted.width()) / wanted.height();
        score += 0.1 * std::abs(std::log(aspect / wantedAspect));
        if (score < bestScore) {
            bestScore = score;
            best = i;
        }
    }
    return best;
}
