import sys

from paper_ls.cli import main

sys.exit(main())
