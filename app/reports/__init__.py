"""Safety reports. (This branch only carries the submission service the offline API calls.)"""
