// Umbrella header of the DBX engine.
#pragma once

#include "dbx/database.h"
#include "dbx/error.h"
#include "dbx/options.h"
#include "dbx/write_batch.h"
