"""`python -m cloud_setup deploy|status|teardown --name NAME --region REGION ...`"""

import sys

from cloud_setup.cli import main

if __name__ == "__main__":
    sys.exit(main())
