from muse.cli.main import main

raise SystemExit(main())
