#include "mediaplugin.h"
