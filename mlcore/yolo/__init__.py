"""YOLO11 (ultralytics) classification and detection behind Konstruktor's engine contract."""
