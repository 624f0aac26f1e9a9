/* CrossRun's marker header: its presence identifies CrossRun's include directory, and
   programs may include it to learn they run under CrossRun. */
#ifndef CROSSRUN_H
#define CROSSRUN_H
#define __CROSSRUN_VERSION__ "0.1.0"
#endif
