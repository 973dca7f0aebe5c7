#!/usr/bin/env python
from linli.cli import main

if __name__ == "__main__":
    main()
