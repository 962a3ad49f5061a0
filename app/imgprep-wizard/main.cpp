// imgprep-wizard: the Qt Widgets wizard. Everything lives in ui/ (imgprep_ui).
#include "app.h"

int main(int argc, char** argv) {
    return imgprep::ui::runWizard(argc, argv);
}
